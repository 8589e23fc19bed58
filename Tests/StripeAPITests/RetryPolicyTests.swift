import StripeAPI
import Testing

/// The pure retry decision and Stripe's status defaults.
struct RetryPolicyTests {
    static func error(_ code: StripeCallError.Code, retry: Bool, retryAfter: Duration? = nil) -> StripeCallError {
        StripeCallError(code: code, operation: .createUsageRecord, message: "x", shouldRetry: retry, retryAfter: retryAfter)
    }

    @Test func delaysDoubleUpToTheCapWithoutJitter() {
        let policy = StripeRetryPolicy(maxAttempts: 10)
        let delays = (1...7).map { policy.delay(afterAttempt: $0, error: Self.error(.serverError, retry: true), jitter: nil) }
        #expect(delays == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
    }

    @Test func nothingIsRetriedWhenNotRetryableOrAttemptsAreUsedUp() {
        let policy = StripeRetryPolicy(maxAttempts: 4)
        #expect(policy.delay(afterAttempt: 1, error: Self.error(.invalidRequest, retry: false), jitter: nil) == nil)
        #expect(policy.delay(afterAttempt: 3, error: Self.error(.rateLimited, retry: true), jitter: nil) == .seconds(1))
        #expect(policy.delay(afterAttempt: 4, error: Self.error(.rateLimited, retry: true), jitter: nil) == nil)
    }

    @Test func retryAfterIsHonouredUnlessItIsLongerThanTheCallMayWait() {
        let policy = StripeRetryPolicy(maxAttempts: 4, maxRetryAfter: .seconds(30))
        #expect(policy.delay(afterAttempt: 1, error: Self.error(.rateLimited, retry: true, retryAfter: .seconds(3)), jitter: 0.5) == .seconds(3))
        // A shorter Retry-After never shortens the backoff.
        #expect(policy.delay(afterAttempt: 3, error: Self.error(.rateLimited, retry: true, retryAfter: .zero), jitter: nil) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, error: Self.error(.rateLimited, retry: true, retryAfter: .seconds(120)), jitter: nil) == nil)
    }

    @Test func jitterKeepsEachDelayInItsUpperHalf() {
        let policy = StripeRetryPolicy()
        let low = policy.delay(afterAttempt: 2, error: Self.error(.network, retry: true), jitter: 0)
        let high = policy.delay(afterAttempt: 2, error: Self.error(.network, retry: true), jitter: 0.999)
        #expect(low == .milliseconds(250))
        #expect(high == .milliseconds(499))
    }

    @Test func statusDefaultsFollowStripe() {
        #expect(StripeCallError.defaultShouldRetry(status: 429))
        #expect(StripeCallError.defaultShouldRetry(status: 409))
        #expect(StripeCallError.defaultShouldRetry(status: 500))
        #expect(StripeCallError.defaultShouldRetry(status: 503))
        #expect(!StripeCallError.defaultShouldRetry(status: 400))
        #expect(!StripeCallError.defaultShouldRetry(status: 401))
        #expect(!StripeCallError.defaultShouldRetry(status: 404))
    }

    @Test func theDescriptionNamesTheCallAndTheContext() {
        let error = StripeCallError(
            code: .invalidRequest, operation: .createMeterEvent, status: 400, stripeType: "invalid_request_error", message: "Bad.",
            param: "timestamp", requestID: "req_1", shouldRetry: false, attempts: 1)
        #expect(
            error.description
                == "Stripe meter_events call failed: invalidRequest (HTTP 400, invalid_request_error, param timestamp, request req_1, "
                + "1 attempt, not retryable): Bad.")
    }
}
