import BillingCore
import BillingStore
import Logging
import ServiceLifecycle
import StripeAPI

/// Reports usage to Stripe: aggregates pending usage per item and period (per customer and meter without a
/// subscription), writes each report row before sending it, and sends with the row's key so that a retry after
/// any failure or crash is recognised by Stripe (SPEC.md §5 "Reporting").
public struct UsageReporter: Service {
    /// Tuning; the defaults follow SPEC.md §4.
    public struct Configuration: Sendable {
        /// Seconds between regular flushes (`flush.interval`).
        public var interval: Duration = .seconds(60)
        /// Reports sent at once; the client still keeps to the rate limit and one call per customer and meter.
        public var concurrency = 16
        /// Unreported usage records planned per round.
        public var batchSize = 100_000
        public var machine = BillingMachineConfiguration()

        public init() {}
    }

    let ledger: any UsageReportStore
    let state: any BillingStateStore
    /// nil when no Stripe API key is configured: usage is kept, nothing is sent.
    let client: (any StripeUsageClient)?
    let catalogue: [String: MetricDefinition]
    let clock: any UnixClock
    let signal: WorkSignal
    let status: ReporterStatus
    let configuration: Configuration
    let metrics: MeterBridgeMetrics
    let logger: Logger

    public init(
        ledger: any UsageReportStore, state: any BillingStateStore, client: (any StripeUsageClient)?, catalogue: [String: MetricDefinition],
        clock: any UnixClock, signal: WorkSignal, status: ReporterStatus, configuration: Configuration = Configuration(),
        metrics: MeterBridgeMetrics, logger: Logger
    ) {
        self.ledger = ledger
        self.state = state
        self.client = client
        self.catalogue = catalogue
        self.clock = clock
        self.signal = signal
        self.status = status
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        guard client != nil else {
            logger.notice("Usage reporting is paused: no Stripe API key (STRIPE_API_KEY); usage is kept until one is configured")
            try? await gracefulShutdown()
            return
        }
        logger.info("Usage reporter started", metadata: ["flush.interval": "\(configuration.interval)"])
        var nextRegularFlush = ContinuousClock.now + configuration.interval
        while !Task.isCancelledOrShuttingDown {
            do {
                // Boundary flushes arrive as outbox actions between regular flushes; both end in the same round.
                let regular = ContinuousClock.now >= nextRegularFlush
                try await flushNow(onlyActions: !regular)
                if regular { nextRegularFlush = ContinuousClock.now + configuration.interval }
            } catch {
                logger.error("Usage flush failed", metadata: ["error": "\(error)"])
            }
            await signal.wait(timeout: min(configuration.interval, .seconds(1)))
        }
        // A last flush on the way out, so usage recorded just before a deploy is not left waiting.
        _ = try? await flushNow(onlyActions: false)
        logger.info("Usage reporter stopped")
    }

    /// Carries out pending outbox actions, plans pending usage into reports and sends every due report.
    ///
    /// - Parameter onlyActions: between regular flushes, plan only the usage of customers an action named
    ///   (a boundary flush), so the number of calls per item stays one per interval.
    @discardableResult
    public func flushNow(onlyActions: Bool = false, subscriptionID: String? = nil) async throws -> FlushSummary {
        guard client != nil else { return FlushSummary() }
        let started = ContinuousClock.now
        var summary = FlushSummary()
        let actions = try await takeActions()
        var customers: Set<String>? = onlyActions ? actions.customers : nil
        if let subscriptionID {
            customers = Set([try await state.subscription(id: subscriptionID)?.customerID].compactMap { $0 })
        }
        if customers.map({ !$0.isEmpty }) ?? true {
            summary.reportsCreated += try await planPendingUsage(customers: customers)
        }
        summary.reportsCreated += try await planRereports(actions.rereports)
        let sent = try await sendDueReports()
        summary.sent = sent.sent
        summary.failed = sent.failed
        try await confirmFinalFlushes(actions.finalFlushes)
        try await actions.markDone(in: state, at: clock.nowMilliseconds())
        metrics.recordFlushDuration(ContinuousClock.now - started)
        return summary
    }
}

/// What one flush did, for `POST /v1/flush` and `meterbridge flush`.
public struct FlushSummary: Codable, Sendable, Equatable {
    public var reportsCreated = 0
    public var sent = 0
    public var failed = 0

    public init() {}
}
