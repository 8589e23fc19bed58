import BillingCore
import BillingStore
import Foundation
import Logging
import SystemClock

/// Everything a writing replay needs from the store; `--rebuild` needs `DerivedStateRebuilding` too (SQLite).
public typealias ReplayStore = StoredEventReader & InboxStore & BillingStateStore & EventImporting

/// `replay --rebuild` on a store that cannot replace all derived state in one transaction of its own.
public struct RebuildUnsupported: Error, CustomStringConvertible {
    public init() {}

    public var description: String {
        "--rebuild works on the SQLite store (with serve stopped); on PostgreSQL, replay the events that need it without --rebuild"
    }
}

/// `meterbridge replay`: re-runs stored events through the state machine (docs/commands.md).
///
/// A replay of selected events goes through the processor's own path (`SubscriptionWorkflow`, then one commit per
/// subscription), so a failed event that decodes now ends `processed`, with the actions it implies pending for the
/// reporter, exactly as if the processor had taken it. It may run beside `serve`: each commit checks that the
/// subscription's stored state is still the one the replay started from, and starts over when `serve` changed it.
public struct Replayer: Sendable {
    public var machine: BillingMachineConfiguration
    public var clock: any UnixClock
    /// Failures before an event is `dead` (the processor's `maxAttempts`).
    public var maxAttempts: Int
    /// Events a rebuild reads per page.
    public var pageSize = 4096
    /// Tasks that decode a rebuild's pages at once.
    public var decoders = max(2, ProcessInfo.processInfo.activeProcessorCount)
    public var logger: Logger

    public init(
        machine: BillingMachineConfiguration, clock: any UnixClock = SystemUnixClock(), maxAttempts: Int = EventProcessor.Configuration().maxAttempts,
        logger: Logger
    ) {
        self.machine = machine
        self.clock = clock
        self.maxAttempts = maxAttempts
        self.logger = logger
    }

    /// A replayer with the service's state machine settings.
    public init(configuration: MeterBridgeConfiguration, clock: any UnixClock = SystemUnixClock(), logger: Logger) {
        self.init(machine: MeterBridgeRuntime.machineConfiguration(configuration), clock: clock, logger: logger)
    }

    /// Imports `options.file`, then replays the selected events, or with `rebuild`, rebuilds all derived state.
    public func run(
        _ options: ReplayOptions, store: any ReplayStore, progress: @escaping @Sendable (ReplayProgress) -> Void = { _ in }
    ) async throws -> ReplaySummary {
        precondition(!options.dryRun, "a dry run reads through dryRun(_:reader:…)")
        let started = ContinuousClock.now
        var summary: ReplaySummary
        if options.rebuild {
            guard let rebuilding = store as? any ReplayStore & DerivedStateRebuilding else { throw RebuildUnsupported() }
            var imported = ReplaySummary(mode: "rebuild")
            if let file = options.file { try await importFile(file, into: store, summary: &imported) }
            summary = try await rebuild(store: rebuilding, progress: progress)
            (summary.imported, summary.repaired, summary.skipped) = (imported.imported, imported.repaired, imported.skipped)
        } else {
            summary = try await replaySelected(options, store: store, progress: progress)
        }
        summary.elapsedSeconds = (ContinuousClock.now - started).seconds
        return summary
    }

    @discardableResult
    private func importFile(_ file: EventFile, into store: any ReplayStore, summary: inout ReplaySummary) async throws -> [String] {
        let result = try await store.importEvents(file.events)
        summary.imported = result.inserted.count
        summary.repaired = result.repaired.count
        summary.skipped = result.skipped.count
        logger.info("Events imported", metadata: [
            "import.format": "\(file.format.rawValue)", "import.inserted": "\(result.inserted.count)",
            "import.repaired": "\(result.repaired.count)", "import.skipped": "\(result.skipped.count)",
        ])
        return result.inserted + result.repaired
    }

    private func replaySelected(
        _ options: ReplayOptions, store: any ReplayStore, progress: @Sendable (ReplayProgress) -> Void
    ) async throws -> ReplaySummary {
        var summary = ReplaySummary(mode: "replay")
        let selected: [StoredEvent]
        if let file = options.file {
            let stored = Set(try await importFile(file, into: store, summary: &summary))
            let wanted = file.events.filter { stored.contains($0.id) && options.admits($0) }.map(\.id)
            selected = try await Self.events(ids: wanted, query: EventQuery(), in: store)
        } else if !options.eventIDs.isEmpty {
            selected = try await Self.events(ids: options.eventIDs, query: options.query, in: store)
        } else {
            selected = try await store.events(options.query)
        }
        summary.read = selected.count
        let now = clock.now
        let (order, bySubscription, unrouted) = SubscriptionGroups.group(selected, subscription: \.event.subscriptionID)
        if !unrouted.isEmpty {
            let commit = BillingCommit(finishingUnrouted: unrouted.map { ($0.id, $0.type) }, at: now)
            try await store.commit(commit)
            summary.applied += commit.finishedEvents.count { $0.status == .processed }
            summary.ignored += commit.finishedEvents.count { $0.status == .ignored }
        }
        var done = unrouted.count
        progress(ReplayProgress(done: done, total: selected.count))
        for subscriptionID in order {
            let events = bySubscription[subscriptionID] ?? []
            let output = try await replay(events, of: subscriptionID, store: store, now: now, summary: &summary)
            summary.applied += output.events.count { $0.outcome == .processed }
            summary.ignored += output.events.count { $0.outcome == .ignored }
            for (eventID, error) in output.failures {
                guard let event = events.first(where: { $0.id == eventID }) else { continue }
                let delay = RetryBackoff.delay(afterAttempt: event.attempts + 1)
                try await store.markFailed(id: event.id, error: error, nextAttemptAt: now + delay, maxAttempts: maxAttempts)
                summary.recordFailure(id: event.id, type: event.type, error: error)
            }
            summary.subscriptions += 1
            done += events.count
            progress(ReplayProgress(done: done, total: selected.count))
        }
        return summary
    }

    /// One subscription's events through the workflow, committed only on top of the state it read.
    private func replay(
        _ events: [StoredEvent], of subscriptionID: String, store: any ReplayStore, now: UnixTime, summary: inout ReplaySummary
    ) async throws -> WorkflowOutput {
        var conflicts = 0
        while true {
            do {
                let output = try await store.runWorkflow(events.map(WorkflowInput.init), subscriptionID: subscriptionID, configuration: machine, now: now)
                summary.actions += output.outbox.count
                return output
            } catch let conflict as BillingStateConflict where conflicts < 10 {
                // `serve` committed this subscription meanwhile: start again from what it wrote.
                conflicts += 1
                summary.retries += 1
                logger.debug("Replay commit conflicted; retrying", metadata: ["stripe.subscription.id": "\(conflict.subscriptionID)"])
            }
        }
    }

    /// Stored events with these ids (queried a few hundred at a time) that match `query`, in `(created, id)` order.
    static func events(ids: [String], query: EventQuery, in reader: any StoredEventReader) async throws -> [StoredEvent] {
        var events: [StoredEvent] = []
        var start = 0
        while start < ids.count {
            var page = query
            page.ids = Array(ids[start..<min(start + 500, ids.count)])
            events += try await reader.events(page)
            start += 500
        }
        return events.sortedInStripeOrder()
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
