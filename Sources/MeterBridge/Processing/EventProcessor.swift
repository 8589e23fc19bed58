import BillingCore
import BillingStore
import Logging
import ServiceLifecycle

/// Applies stored events to the state machine, per subscription in `created` order, and saves state, timers,
/// actions and event statuses in one commit; failures retry with backoff and end as `dead` with the error.
public struct EventProcessor: Service {
    /// Tuning; the defaults suit the embedded store.
    public struct Configuration: Sendable {
        /// Events fetched per round.
        public var batchSize = 512
        /// Subscriptions worked on at once (their commits share the store's group commit). Two: on a 2-core machine
        /// more parallel processing only takes CPU from the webhook endpoint during a burst (measured: 9,669 events/s
        /// at 8, 11,347 at 2); the processor catches up afterwards.
        public var concurrency = 2
        /// Failures before an event is `dead`.
        public var maxAttempts = 8
        /// How long to sleep when there is nothing to do (a new event wakes the processor at once).
        public var idleWait: Duration = .seconds(1)
        /// On a shared store: how long a subscription's lease lasts, so a crashed instance's subscriptions are taken
        /// over after it. Far longer than applying a batch takes.
        public var leaseDuration: Duration = .seconds(30)
        public var machine = BillingMachineConfiguration()

        public init() {}
    }

    let inbox: any InboxStore
    let state: any BillingStateStore
    /// Set on a store several instances share: a subscription's events are applied by the instance holding its lease.
    let leases: (any WorkLeasing)?
    let clock: any UnixClock
    let signal: WorkSignal
    /// Poked after a commit that produced actions, so the reporter carries them out at once.
    let actionsSignal: WorkSignal?
    let configuration: Configuration
    let metrics: MeterBridgeMetrics
    let logger: Logger

    public init(
        inbox: any InboxStore, state: any BillingStateStore, leases: (any WorkLeasing)? = nil, clock: any UnixClock, signal: WorkSignal,
        actionsSignal: WorkSignal? = nil, configuration: Configuration = Configuration(), metrics: MeterBridgeMetrics, logger: Logger
    ) {
        self.actionsSignal = actionsSignal
        self.inbox = inbox
        self.state = state
        self.leases = leases
        self.clock = clock
        self.signal = signal
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        logger.info("Event processor started")
        while !Task.isCancelledOrShuttingDown {
            do {
                if try await processDue() == 0 { await signal.wait(timeout: configuration.idleWait) }
            } catch {
                // The store is failing (disk, lock): back off; events stay pending and nothing is lost.
                logger.error("Event processing round failed", metadata: ["error": "\(error)"])
                await signal.wait(timeout: .seconds(5))
            }
        }
        logger.info("Event processor stopped")
    }

    /// Processes the events due now; returns how many it took. Tests and `replay` call it directly.
    @discardableResult
    public func processDue() async throws -> Int {
        let now = clock.now
        let batch = try await inbox.pendingEvents(dueAt: now, limit: configuration.batchSize)
        guard !batch.isEmpty else { return 0 }
        let (order, bySubscription, unrouted) = SubscriptionGroups.group(batch, subscription: \.event.subscriptionID)
        if !unrouted.isEmpty { try await finishUnrouted(unrouted, now: now) }
        guard let leases else {
            try await process(order, bySubscription, now: now)
            return batch.count
        }
        let names = order.map(WorkLease.subscription)
        let taken = try await leases.withLeases(names, now: now, duration: configuration.leaseDuration) { held in
            let mine = order.filter { held.contains(WorkLease.subscription($0)) }
            // Read again under the leases: the instance that held one of them before may have applied some of these events.
            let ids = mine.flatMap { bySubscription[$0]?.map(\.id) ?? [] }
            let waiting = Set(try await inbox.events(EventQuery(ids: ids, statuses: [.pending, .failed])).map(\.id))
            try await process(mine, bySubscription.mapValues { $0.filter { waiting.contains($0.id) } }, now: now)
            return mine.count
        }
        // Nothing taken when other instances hold every subscription of the batch: wait rather than spin.
        return taken == 0 && unrouted.isEmpty ? 0 : batch.count
    }

    // Different subscriptions are independent; each one's events stay in order within its own step.
    private func process(_ order: [String], _ bySubscription: [String: [StoredEvent]], now: UnixTime) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for subscription in order {
                guard let events = bySubscription[subscription], !events.isEmpty else { continue }
                if running == configuration.concurrency {
                    try await group.next()
                    running -= 1
                }
                group.addTask { try await process(subscription, events: events, now: now) }
                running += 1
            }
            try await group.waitForAll()
        }
    }

    private func process(_ subscriptionID: String, events: [StoredEvent], now: UnixTime) async throws {
        let output: WorkflowOutput
        do {
            output = try await state.runWorkflow(events.map(WorkflowInput.init), subscriptionID: subscriptionID, configuration: configuration.machine, now: now)
        } catch let conflict as BillingStateConflict {
            // Nothing was written: the events stay pending, and the next round applies them afresh.
            metrics.increment("meterbridge_state_conflicts_total", [])
            logger.notice("Subscription changed while its events were applied; retrying them", metadata: [
                "stripe.subscription.id": "\(subscriptionID)", "error": "\(conflict)",
            ])
            return
        }
        if !output.outbox.isEmpty { actionsSignal?.poke() }
        let byID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for result in output.events {
            if let status = EventStatus(finished: result.outcome) {
                metrics.recordEventProcessed(type: byID[result.eventID]?.type ?? "unknown", outcome: status.rawValue)
            }
        }
        for (eventID, reason) in output.failures {
            guard let event = byID[eventID] else { continue }
            try await fail(event, error: reason, now: now)
        }
        if !output.outbox.isEmpty {
            logger.debug("Subscription updated", metadata: ["stripe.subscription.id": "\(subscriptionID)", "actions": "\(output.outbox.count)"])
        }
    }

    // Events that name no subscription (customers, upcoming invoices of none, meter error reports): nothing in the
    // per-subscription state to change.
    private func finishUnrouted(_ events: [StoredEvent], now: UnixTime) async throws {
        let commit = BillingCommit(finishingUnrouted: events.map { ($0.id, $0.type) }, at: now)
        try await state.commit(commit)
        for (event, finished) in zip(events, commit.finishedEvents) { metrics.recordEventProcessed(type: event.type, outcome: finished.status.rawValue) }
    }

    private func fail(_ event: StoredEvent, error: String, now: UnixTime) async throws {
        let delay = RetryBackoff.delay(afterAttempt: event.attempts + 1)
        let status = try await inbox.markFailed(id: event.id, error: error, nextAttemptAt: now + delay, maxAttempts: configuration.maxAttempts)
        metrics.recordEventProcessed(type: event.type, outcome: status.rawValue)
        logger.warning("Event could not be processed", metadata: [
            "stripe.event.id": "\(event.id)", "stripe.event.type": "\(event.type)", "status": "\(status.rawValue)", "error": "\(error)",
        ])
    }
}

extension Task where Success == Never, Failure == Never {
    /// True once the task is cancelled or the service group began a graceful shutdown.
    static var isCancelledOrShuttingDown: Bool { isCancelled || isShuttingDownGracefully }
}
