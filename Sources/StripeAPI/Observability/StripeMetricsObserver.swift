import CoreMetrics
import Synchronization

/// A ``StripeCallObserver`` that counts with swift-metrics on an injected factory (the app passes the
/// factory of its Prometheus registry; this module stays free of swift-prometheus):
///
/// | Metric | Dimensions | Counts |
/// |---|---|---|
/// | `meterbridge_stripe_calls_total` | `endpoint`, `status` (`200`, `429`, `network`, `timeout`, …) | HTTP attempts |
/// | `meterbridge_stripe_retries_total` | `endpoint`, `code` | retries inside a call |
/// | `meterbridge_stripe_rate_limit_waits_total` | `endpoint` | calls that waited for a rate-limit token |
/// | `meterbridge_stripe_rate_limit_wait_seconds_total` | `endpoint` | time spent waiting for tokens |
/// | `meterbridge_stripe_serialized_waits_total` | `endpoint` | calls queued behind another for the same customer and meter |
public final class StripeMetricsObserver: StripeCallObserver {
    private let factory: any MetricsFactory
    /// Counters are made once per label and dimensions, then reused: making one takes the factory's lock.
    private let counters = Mutex<[String: Counter]>([:])
    private let floatingCounters = Mutex<[String: FloatingPointCounter]>([:])

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func attemptFinished(_ operation: StripeOperation, status: Int?, error: StripeCallError?, duration: Duration) {
        let statusLabel = status.map(String.init) ?? error?.code.description ?? "unknown"
        counter("meterbridge_stripe_calls_total", [("endpoint", operation.rawValue), ("status", statusLabel)]).increment()
    }

    public func retryScheduled(_ operation: StripeOperation, afterAttempt attempt: Int, error: StripeCallError, delay: Duration) {
        counter("meterbridge_stripe_retries_total", [("endpoint", operation.rawValue), ("code", error.code.description)]).increment()
    }

    public func rateLimitWaited(_ operation: StripeOperation, duration: Duration) {
        counter("meterbridge_stripe_rate_limit_waits_total", [("endpoint", operation.rawValue)]).increment()
        let (seconds, attoseconds) = duration.components
        let total = Double(seconds) + Double(attoseconds) / 1e18
        floatingCounter("meterbridge_stripe_rate_limit_wait_seconds_total", [("endpoint", operation.rawValue)]).increment(by: total)
    }

    public func queuedBehindConcurrentCall(_ operation: StripeOperation) {
        counter("meterbridge_stripe_serialized_waits_total", [("endpoint", operation.rawValue)]).increment()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = Self.key(label, dimensions)
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private func floatingCounter(_ label: String, _ dimensions: [(String, String)]) -> FloatingPointCounter {
        let key = Self.key(label, dimensions)
        return floatingCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = FloatingPointCounter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{1F}")
    }
}
