import BillingCore
import BillingStore
import Logging
import ServiceLifecycle
import StripeAPI

/// Reports usage to Stripe: aggregates pending usage per item and period (per customer and meter without a
/// subscription), writes each report row before sending it, and sends with the row's key so that a retry after
/// any failure or crash is recognised by Stripe (docs/billing-rules.md, reporting).
public struct UsageReporter: Service {
    /// Tuning; the defaults are those of docs/configuration.md.
    public struct Configuration: Sendable {
        /// Seconds between regular flushes (`flush.interval`).
        public var interval: Duration = .seconds(60)
        /// Reports sent at once; the client still keeps to the rate limit and one call per customer and meter.
        public var concurrency = 16
        /// Seconds that meter usage of a product no known subscription of the customer has waits for one before
        /// going out by customer (`flush.subscription_grace`).
        public var subscriptionGrace: Int64 = 300
        /// Unreported usage records read from the store per page.
        public var batchSize = 100_000
        /// Unreported usage records gathered before planning them (about 100 bytes each in memory). Pending usage
        /// comes in arrival order, so each customer's metric is one report per item and period while no more than
        /// this much is pending; a larger backlog is planned window by window, one report per window
        /// (`flush.planning_window`).
        public var planningWindow = 300_000
        public var machine = BillingMachineConfiguration()
        /// On a shared store: how long the `reporter` lease lasts without renewal (a crashed instance's round is taken
        /// over after it).
        public var leaseDuration: Duration = .seconds(30)
        /// How long Stripe keeps an idempotency key or a meter identifier: 24 hours
        /// (https://docs.stripe.com/api/idempotent_requests). A report first tried longer ago is checked against Stripe's
        /// summaries before it is sent again.
        public var keyWindow: Duration = .seconds(86_400)

        public init() {}
    }

    let ledger: any UsageReportStore
    let state: any BillingStateStore
    /// Set on a store several instances share: one instance at a time runs a round (the `reporter` lease), so their
    /// rate limiters never add up to more than the account's, and no two plan the same usage.
    let leases: (any WorkLeasing)?
    /// nil when no Stripe API key is configured: usage is kept, nothing is sent.
    let client: (any StripeUsageClient)?
    let catalogue: [String: MetricDefinition]
    let clock: any UnixClock
    let signal: WorkSignal
    let status: ReporterStatus
    let configuration: Configuration
    let metrics: MeterBridgeMetrics
    let logger: Logger
    /// Asks Stripe about a customer whose usage found no subscription; nil without a Stripe key.
    let lookup: SubscriptionLookup?

    public init(
        ledger: any UsageReportStore, state: any BillingStateStore, leases: (any WorkLeasing)? = nil, client: (any StripeUsageClient)?,
        catalogue: [String: MetricDefinition], clock: any UnixClock, signal: WorkSignal, status: ReporterStatus,
        configuration: Configuration = Configuration(), metrics: MeterBridgeMetrics, logger: Logger, lookup: SubscriptionLookup? = nil
    ) {
        self.lookup = lookup
        self.ledger = ledger
        self.state = state
        self.leases = leases
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
                try await flushNow(onlyActions: !regular, waitForTurn: false)
                if regular { nextRegularFlush = ContinuousClock.now + configuration.interval }
            } catch {
                logger.error("Usage flush failed", metadata: ["error": "\(error)"])
            }
            await signal.wait(timeout: min(configuration.interval, .seconds(1)))
        }
        // A last flush on the way out, so usage recorded just before a deploy is not left waiting.
        _ = try? await flushNow(onlyActions: false, waitForTurn: false)
        logger.info("Usage reporter stopped")
    }

    /// Carries out pending outbox actions, plans pending usage into reports and sends every due report.
    ///
    /// - Parameters:
    ///   - onlyActions: between regular flushes, plan only the usage of customers an action named (a boundary flush),
    ///     so the number of calls per item stays one per interval.
    ///   - waitForTurn: on a shared store, wait while another instance runs a round (an operator's flush), rather than
    ///     leave the round to it (the background loop).
    @discardableResult
    public func flushNow(onlyActions: Bool = false, subscriptionID: String? = nil, waitForTurn: Bool = true) async throws -> FlushSummary {
        guard client != nil else { return FlushSummary() }
        guard let leases else { return try await round(onlyActions: onlyActions, subscriptionID: subscriptionID) }
        let duration = configuration.leaseDuration
        let deadline = ContinuousClock.now + configuration.leaseDuration
        while try await leases.acquireLeases([WorkLease.reporter], now: clock.now, duration: duration).isEmpty {
            guard waitForTurn else { return FlushSummary() }
            guard ContinuousClock.now < deadline else { throw ReportingRoundBusy() }
            try await Task.sleep(for: .milliseconds(200))
        }
        // A long round (a backlog at the rate limit) keeps its lease; a crashed instance's lapses and another goes on.
        let clock = self.clock
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: configuration.leaseDuration / 3)
                _ = try await leases.acquireLeases([WorkLease.reporter], now: clock.now, duration: duration)
            }
        }
        defer { renewal.cancel() }
        do {
            let summary = try await round(onlyActions: onlyActions, subscriptionID: subscriptionID)
            renewal.cancel()
            try await leases.releaseLeases([WorkLease.reporter])
            return summary
        } catch {
            renewal.cancel()
            try? await leases.releaseLeases([WorkLease.reporter])
            throw error
        }
    }

    private func round(onlyActions: Bool, subscriptionID: String?) async throws -> FlushSummary {
        let started = ContinuousClock.now
        var summary = FlushSummary()
        let actions = try await takeActions()
        var customers: Set<String>? = onlyActions ? actions.customers : nil
        if let subscriptionID {
            customers = Set([try await state.subscription(id: subscriptionID)?.customerID].compactMap { $0 })
        }
        // Re-reports first: they take in the records still waiting at their switch.
        summary.reportsCreated += try await planRereports(actions.rereports)
        if customers.map({ !$0.isEmpty }) ?? true {
            summary.reportsCreated += try await planPendingUsage(customers: customers)
        }
        summary.reportsCreated += try await planLatestValues(actions.openedPeriods)
        let sent = try await sendDueReports()
        summary.sent = sent.sent
        summary.failed = sent.failed
        try await confirmFinalFlushes(actions.finalFlushes)
        try await actions.markDone(in: state, at: clock.now)
        metrics.recordFlushDuration(ContinuousClock.now - started)
        return summary
    }
}

/// Another instance kept the `reporter` lease for a whole lease duration: an operator's flush gave up waiting.
public struct ReportingRoundBusy: Error, CustomStringConvertible {
    public var description: String { "Another instance has been running a reporting round for the whole wait; try again shortly" }
}

/// What one flush did, for `POST /v1/flush` and `meterbridge flush`.
public struct FlushSummary: Codable, Sendable, Equatable {
    public var reportsCreated = 0
    public var sent = 0
    public var failed = 0

    public init() {}
}
