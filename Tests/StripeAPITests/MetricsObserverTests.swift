import BillingCore
import MetricsTestKit
import StripeAPI
import StripeDouble
import Testing

/// The swift-metrics observer counts calls by endpoint and status, retries and rate-limit waits.
struct MetricsObserverTests {
    typealias F = StripeAPIFixture

    @Test func callsRetriesAndWaitsAreCounted() async throws {
        let metrics = TestMetrics()
        let observer = StripeMetricsObserver(factory: metrics)
        observer.attemptFinished(.createUsageRecord, status: 429, error: nil, duration: .milliseconds(3))
        observer.attemptFinished(.createUsageRecord, status: 200, error: nil, duration: .milliseconds(3))
        let timeout = StripeCallError(code: .timeout, operation: .createMeterEvent, message: "x", shouldRetry: true)
        observer.attemptFinished(.createMeterEvent, status: nil, error: timeout, duration: .seconds(1))
        let limited = StripeCallError(code: .rateLimited, operation: .createUsageRecord, message: "x", shouldRetry: true)
        observer.retryScheduled(.createUsageRecord, afterAttempt: 1, error: limited, delay: .milliseconds(10))
        observer.rateLimitWaited(.createMeterEvent, duration: .milliseconds(1500))
        observer.rateLimitWaited(.createMeterEvent, duration: .milliseconds(500))
        observer.queuedBehindConcurrentCall(.createMeterEvent)

        let calls = "meterbridge_stripe_calls_total"
        #expect(metrics.counterTotal(label: calls, dimensions: [("endpoint", "usage_records"), ("status", "429")]) == 1)
        #expect(metrics.counterTotal(label: calls, dimensions: [("endpoint", "usage_records"), ("status", "200")]) == 1)
        #expect(metrics.counterTotal(label: calls, dimensions: [("endpoint", "meter_events"), ("status", "timeout")]) == 1)
        let retries = "meterbridge_stripe_retries_total"
        #expect(metrics.counterTotal(label: retries, dimensions: [("endpoint", "usage_records"), ("code", "rateLimited")]) == 1)
        #expect(metrics.counterTotal(label: "meterbridge_stripe_rate_limit_waits_total", dimensions: [("endpoint", "meter_events")]) == 2)
        #expect(metrics.counterTotal(label: "meterbridge_stripe_serialized_waits_total", dimensions: [("endpoint", "meter_events")]) == 1)
    }

    @Test func theClientReportsEachAttemptToItsObserver() async throws {
        try await F.run { f in
            f.stripe.inject(.rateLimited, .dropConnection(.beforeApplying), on: .createUsageRecord)
            _ = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 1, timestamp: F.now, action: .increment, idempotencyKey: "obs-1")
            #expect(
                f.observer.attempts == [
                    .init(operation: .createUsageRecord, status: 429, code: .rateLimited),
                    .init(operation: .createUsageRecord, status: nil, code: .network),
                    .init(operation: .createUsageRecord, status: 200, code: nil),
                ])
        }
    }
}
