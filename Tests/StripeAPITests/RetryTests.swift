import BillingCore
import StripeAPI
import StripeDouble
import Synchronization
import TestPrimitives
import Testing

/// Retries inside one call: which failures retry, with the same key or identifier every time, billed once.
struct RetryTests {
    typealias F = StripeAPIFixture

    @Test(arguments: [nil, true] as [Bool?])
    func rateLimitedIsRetriedWithTheSameKeyAndBilledOnce(shouldRetry: Bool?) async throws {
        try await F.run { f in
            f.stripe.inject(.status(429, shouldRetry: shouldRetry), .status(429, shouldRetry: shouldRetry), on: .createUsageRecord)
            let result = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 6, timestamp: F.now, action: .increment, idempotencyKey: "rl-1")
            #expect(result.attempts == 3)
            #expect(f.stripe.billedUsage(item: "si_sum") == 6)
            let requests = f.stripe.requests(to: .createUsageRecord)
            #expect(requests.map(\.status) == [429, 429, 200])
            #expect(requests.map(\.idempotencyKey) == ["rl-1", "rl-1", "rl-1"])
            #expect(f.observer.retries.map(\.error.code) == [.rateLimited, .rateLimited])
        }
    }

    @Test func rateLimitedWithStripeShouldRetryFalseIsNotRetried() async throws {
        try await F.run { f in
            f.stripe.inject(.status(429, shouldRetry: false), on: .createUsageRecord)
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_sum", quantity: 6, timestamp: F.now, action: .increment, idempotencyKey: "rl-2")
            }
            #expect(error?.code == .rateLimited)
            #expect(error?.stripeCode == "rate_limit")
            #expect(error?.shouldRetry == false)
            #expect(f.stripe.callCount(.createUsageRecord) == 1)
            #expect(f.stripe.billedUsage(item: "si_sum") == 0)
        }
    }

    @Test func serverErrorIsRetriedButStripeShouldRetryFalseStopsIt() async throws {
        try await F.run { f in
            f.stripe.inject(.status(500), on: .createMeterEvent)
            let result = try await f.client.createMeterEvent(
                eventName: "api_requests", customer: "cus_1", value: 3, timestamp: F.now, identifier: "se-1")
            #expect(result.attempts == 2 && !result.alreadyDelivered)
            #expect(f.stripe.requests(to: .createMeterEvent).map { $0.parameter("identifier") } == ["se-1", "se-1"])
            #expect(f.aprilMeterTotal() == 3)

            f.stripe.inject(.status(503, shouldRetry: false), on: .createMeterEvent)
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 3, timestamp: F.now, identifier: "se-2")
            }
            #expect(error?.code == .serverError)
            #expect(error?.stripeType == "api_error")
            #expect(error?.shouldRetry == false)
            #expect(f.stripe.callCount(.createMeterEvent) == 3)
        }
    }

    @Test func stripeShouldRetryTrueMakesAFourHundredRetryable() async throws {
        try await F.run { f in
            f.stripe.inject(.status(400, shouldRetry: true), on: .createUsageRecord)
            let result = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 2, timestamp: F.now, action: .increment, idempotencyKey: "ov-1")
            #expect(result.attempts == 2)
            #expect(f.observer.retries.map(\.error.code) == [.invalidRequest])
            #expect(f.stripe.billedUsage(item: "si_sum") == 2)
        }
    }

    @Test func aDroppedConnectionBeforeApplyingIsRetriedAndAppliedOnce() async throws {
        try await F.run { f in
            f.stripe.inject(.dropConnection(.beforeApplying), on: .createUsageRecord)
            let result = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 4, timestamp: F.now, action: .increment, idempotencyKey: "db-1")
            #expect(result.attempts == 2)
            #expect(!result.replayed)
            #expect(f.observer.retries.map(\.error.code) == [.network])
            let requests = f.stripe.requests(to: .createUsageRecord)
            #expect(requests.map(\.idempotencyKey) == ["db-1", "db-1"])
            #expect(requests.map(\.applied) == [false, true])
            #expect(f.stripe.billedUsage(item: "si_sum") == 4)
        }
    }

    @Test func aDroppedConnectionAfterApplyingIsReplayedUnderTheSameKeyNotBilledTwice() async throws {
        try await F.run { f in
            f.stripe.inject(.dropConnection(.afterApplying), on: .createUsageRecord)
            let result = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 4, timestamp: F.now, action: .increment, idempotencyKey: "da-1")
            #expect(result.attempts == 2)
            #expect(result.replayed)
            let requests = f.stripe.requests(to: .createUsageRecord)
            #expect(requests.map(\.idempotencyKey) == ["da-1", "da-1"])
            #expect(requests.map(\.applied) == [true, false])
            #expect(requests.map(\.replayed) == [false, true])
            #expect(f.stripe.billedUsage(item: "si_sum") == 4)
        }
    }

    @Test func aDroppedMeterEventAfterApplyingComesBackAsAlreadyDelivered() async throws {
        try await F.run { f in
            f.stripe.inject(.dropConnection(.afterApplying), on: .createMeterEvent)
            let result = try await f.client.createMeterEvent(
                eventName: "api_requests", customer: "cus_1", value: 11, timestamp: F.now, identifier: "dm-1")
            #expect(result.alreadyDelivered)
            #expect(result.attempts == 2)
            #expect(f.stripe.requests(to: .createMeterEvent).map { $0.parameter("identifier") } == ["dm-1", "dm-1"])
            #expect(f.aprilMeterTotal() == 11)
        }
    }

    @Test func aDroppedMeterEventBeforeApplyingIsSentAgainAndCountedOnce() async throws {
        try await F.run { f in
            f.stripe.inject(.dropConnection(.beforeApplying), on: .createMeterEvent)
            let result = try await f.client.createMeterEvent(
                eventName: "api_requests", customer: "cus_1", value: 11, timestamp: F.now, identifier: "dm-2")
            #expect(!result.alreadyDelivered)
            #expect(result.attempts == 2)
            #expect(f.aprilMeterTotal() == 11)
        }
    }

    /// The first attempt outlives the client's timeout and is still applied by Stripe: the retry
    /// carries the same key, so Stripe answers it from the first result instead of billing again.
    @Test func aSlowAnswerBeyondTheTimeoutIsRetriedWithTheSameKeyAndBilledOnce() async throws {
        let release = ReleaseBox()
        let observer = RecordingObserver { error in
            // The timed-out request is still held by the double: let it finish now, so the retry meets
            // its saved result (or its in-flight key, 409, and tries again).
            if error.code == .timeout { release.releaseOnceHeld(on: .createUsageRecord) }
        }
        try await F.run(
            configure: {
                $0.requestTimeout = .milliseconds(300)
                $0.retry = StripeRetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(40), maxDelay: .milliseconds(200))
            }, observer: observer
        ) { f in
            release.stripe = f.stripe
            f.stripe.inject(.slow(.seconds(600)), on: .createUsageRecord)
            let result = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 9, timestamp: F.now, action: .increment, idempotencyKey: "slow-1")
            #expect(f.observer.retries.first?.error.code == .timeout)
            #expect(result.attempts >= 2)
            #expect(result.replayed)
            try await f.stripe.waitForRequests(count: result.attempts, to: .createUsageRecord)
            let requests = f.stripe.requests(to: .createUsageRecord)
            #expect(Set(requests.map(\.idempotencyKey)) == ["slow-1"])
            #expect(requests.count { $0.applied } == 1)
            #expect(requests.first { $0.applied }?.fault == .slow(.seconds(600)))
            #expect(f.stripe.billedUsage(item: "si_sum") == 9)
        }
    }

    @Test func aSlowMeterEventBeyondTheTimeoutIsRetriedWithTheSameIdentifierAndCountedOnce() async throws {
        let release = ReleaseBox()
        let observer = RecordingObserver { error in
            if error.code == .timeout { release.releaseOnceHeld(on: .createMeterEvent) }
        }
        try await F.run(
            configure: {
                $0.requestTimeout = .milliseconds(300)
                $0.retry = StripeRetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(40), maxDelay: .milliseconds(200))
            }, observer: observer
        ) { f in
            release.stripe = f.stripe
            f.stripe.inject(.slow(.seconds(600)), on: .createMeterEvent)
            let result = try await f.client.createMeterEvent(
                eventName: "api_requests", customer: "cus_1", value: 13, timestamp: F.now, identifier: "slow-m-1")
            #expect(f.observer.retries.first?.error.code == .timeout)
            try await f.stripe.waitForRequests(count: result.attempts, to: .createMeterEvent)
            let requests = f.stripe.requests(to: .createMeterEvent)
            #expect(Set(requests.map { $0.parameter("identifier") }) == ["slow-m-1"])
            #expect(requests.count { $0.applied } == 1)
            #expect(f.aprilMeterTotal() == 13)
        }
    }

    @Test func afterTheLastAttemptTheRetryableErrorIsThrownAndALaterCallWithTheKeyBillsOnce() async throws {
        try await F.run { f in
            f.stripe.inject(.status(503), .status(503), .status(503), .status(503), on: .createUsageRecord)
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_sum", quantity: 5, timestamp: F.now, action: .increment, idempotencyKey: "ex-1")
            }
            #expect(error?.code == .serverError)
            #expect(error?.shouldRetry == true)
            #expect(error?.attempts == 4)
            #expect(f.stripe.requests(to: .createUsageRecord).map(\.idempotencyKey) == ["ex-1", "ex-1", "ex-1", "ex-1"])
            #expect(f.stripe.billedUsage(item: "si_sum") == 0)
            // The reporter keeps the row and tries again later with the same key.
            _ = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 5, timestamp: F.now, action: .increment, idempotencyKey: "ex-1")
            #expect(f.stripe.billedUsage(item: "si_sum") == 5)
        }
    }

    @Test func backoffDelaysComeFromRetryBackoffWithTheInjectedJitter() async throws {
        let seed: UInt64 = 20_240_410
        try await F.run(
            configure: { $0.retry = StripeRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(8), maxDelay: .seconds(1)) }, seed: seed
        ) { f in
            f.stripe.inject(.status(500), .status(502), .rateLimited, on: .createUsageRecord)
            _ = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 1, timestamp: F.now, action: .increment, idempotencyKey: "bo-1")
            var random = SeededRandom(seed: seed)
            let expected = (1...3).map { attempt in
                RetryBackoff.delay(afterAttempt: attempt, base: .milliseconds(8), cap: .seconds(1), jitter: Double.random(in: 0..<1, using: &random))
            }
            #expect(f.observer.retries.map(\.delay) == expected)
            #expect(f.observer.retries.map(\.attempt) == [1, 2, 3])
            // Jitter keeps each delay in [d/2, d).
            #expect(expected[2] >= .milliseconds(16) && expected[2] < .milliseconds(32))
        }
    }
}

/// Lets an observer made before the double started reach it.
final class ReleaseBox: Sendable {
    private let value = Mutex<StripeAPIDouble?>(nil)

    var stripe: StripeAPIDouble? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }

    /// Releases the slow request once it holds its fault. On a loaded machine the request may reach the double after
    /// the client's timeout, and a release before it arrives would not reach it: it would hold its key for the whole
    /// fault, and every retry would meet `idempotency_key_in_use`.
    func releaseOnceHeld(on endpoint: StripeEndpoint) {
        guard let stripe else { return }
        Task {
            try? await stripe.waitUntilFaultsConsumed(on: endpoint)
            stripe.releaseSlowRequests()
        }
    }
}
