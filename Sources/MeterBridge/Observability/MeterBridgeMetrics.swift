import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The service's metrics, on a registry of its own (so tests and several apps in one process never share counts).
public final class MeterBridgeMetrics: Sendable {
    /// The Prometheus registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let webhookCounters: Mutex<[WebhookOutcome: CoreMetrics.Counter]>
    private let counters: Mutex<[CounterKey: CoreMetrics.Counter]>
    let webhookDuration: Metrics.Timer
    let flushDuration: Metrics.Timer

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Webhook answers take well under a millisecond to tens of milliseconds: buckets that resolve that range.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(1000), .milliseconds(5000),
        ]
        self.factory = factory
        webhookCounters = Mutex([:])
        counters = Mutex([:])
        webhookDuration = Metrics.Timer(label: "meterbridge_webhook_duration_seconds", dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
        flushDuration = Metrics.Timer(label: "meterbridge_flush_duration_seconds", dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
    }

    /// Counts one webhook answer by outcome and reason (`meterbridge_webhooks_total`).
    func recordWebhook(_ outcome: WebhookOutcome) {
        // Counters are looked up once per (outcome, reason) and reused: creating one takes the registry's lock.
        let counter = webhookCounters.withLock { counters in
            if let counter = counters[outcome] { return counter }
            let counter = CoreMetrics.Counter(label: "meterbridge_webhooks_total", dimensions: [("outcome", outcome.outcome), ("reason", outcome.reason)], factory: factory)
            counters[outcome] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts one processed event by type and outcome (`meterbridge_events_total`).
    func recordEventProcessed(type: String, outcome: String) {
        increment("meterbridge_events_total", [("type", type), ("outcome", outcome)])
    }

    /// Adds `amount` to the counter `label` with `dimensions`, creating it on first use.
    func increment(_ label: String, _ dimensions: [(String, String)], by amount: Int64 = 1) {
        let key = CounterKey(label: label, dimensions: dimensions.map { "\($0.0)=\($0.1)" })
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment(by: amount)
    }

    /// Records how long answering one webhook took.
    func recordWebhookDuration(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        webhookDuration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Records how long one usage flush took (`meterbridge_flush_duration_seconds`).
    func recordFlushDuration(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        flushDuration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}

/// A counter's identity: its label and dimensions.
private struct CounterKey: Hashable {
    let label: String
    let dimensions: [String]
}

/// How a webhook delivery was answered, as the metric's `outcome` and `reason` labels.
struct WebhookOutcome: Hashable, Sendable {
    let outcome: String
    let reason: String

    static let stored = WebhookOutcome(outcome: "stored", reason: "")
    static let duplicate = WebhookOutcome(outcome: "duplicate", reason: "")
    static let redriven = WebhookOutcome(outcome: "redriven", reason: "")

    static func rejected(_ reason: String) -> WebhookOutcome { WebhookOutcome(outcome: "rejected", reason: reason) }
    static func failed(_ reason: String) -> WebhookOutcome { WebhookOutcome(outcome: "failed", reason: reason) }
}
