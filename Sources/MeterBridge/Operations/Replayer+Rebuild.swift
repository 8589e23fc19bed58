import BillingCore
import BillingStore
import Foundation
import Logging

/// `replay --rebuild`: derived state rebuilt from every stored event, in `created` order.
///
/// The events are read a page at a time (the next page is read and decoded while the current one is applied), decoded
/// by several tasks at once, and applied on one task to per-subscription workflows held in memory. Each subscription's
/// state is encoded and saved once, at the end. Everything is written through `rebuildDerivedState`, in one
/// transaction: a rebuild that fails halfway changes nothing.
///
/// Never re-sends usage: the usage ledger (reports and the records' report assignments) is not touched, and the actions
/// the rebuild decides are recorded as already done, so the reporter has nothing new to carry out — except actions an
/// identical copy of which was still waiting before the rebuild, which keep waiting.
extension Replayer {
    func rebuild(store: any ReplayStore & DerivedStateRebuilding, progress: @escaping @Sendable (ReplayProgress) -> Void) async throws -> ReplaySummary {
        let now = clock.now
        let unsent = try await store.customersWithUnsentUsageReports()
        let total = try await store.counts().values.reduce(0, +)
        let retryAt = now + RetryBackoff.delay(afterAttempt: 1)
        let (result, written) = try await store.rebuildDerivedState(now: now, retryAt: retryAt, maxAttempts: maxAttempts) { sink in
            try await runRebuild(reader: store, total: total, unsent: unsent, now: now, sink: sink, progress: progress)
        }
        var summary = result.summary
        summary.actionsRecordedDone = written.actionsRecorded
        logger.info("Derived state rebuilt", metadata: [
            "rebuild.events": "\(summary.read)", "rebuild.subscriptions": "\(written.subscriptions)",
            "rebuild.actions.recorded": "\(written.actionsRecorded)", "rebuild.actions.already_recorded": "\(written.actionsAlreadyRecorded)",
            "rebuild.actions.kept": "\(written.actionsKept)", "rebuild.event_statuses": "\(written.eventStatusesChanged)",
        ])
        return summary
    }

    /// A rebuild in memory only: how each subscription's rebuilt state would differ from the stored one.
    func rebuildDryRun(
        reader: any StoredEventReader, progress: @escaping @Sendable (ReplayProgress) -> Void
    ) async throws -> (ReplaySummary, [SubscriptionRebuildReport]) {
        let now = clock.now
        let unsent = try await reader.customersWithUnsentUsageReports()
        let total = try await reader.counts().values.reduce(0, +)
        let result = try await runRebuild(reader: reader, total: total, unsent: unsent, now: now, sink: nil, progress: progress)
        var stored: [String: SubscriptionState] = [:]
        for record in try await reader.subscriptions() {
            stored[record.id] = try SubscriptionStateCodec.decode(record)
        }
        var reports: [SubscriptionRebuildReport] = []
        for id in Set(stored.keys).union(result.states.keys).sorted() {
            let changes: [String]
            switch (stored[id], result.states[id]) {
            case (let before?, let after?): changes = StateDiff.lines(from: before, to: after)
            case (nil, let after?): changes = ["\(id) would be created"] + StateDiff.lines(from: SubscriptionState(subscriptionID: id), to: after)
            case (_?, nil): changes = ["\(id) would be dropped: no stored event names it"]
            case (nil, nil): changes = []
            }
            if !changes.isEmpty { reports.append(SubscriptionRebuildReport(subscription: id, changes: changes)) }
        }
        var summary = result.summary
        summary.mode = "rebuild_dry_run"
        return (summary, reports)
    }

    /// What `runRebuild` hands back: the counts, and the states when there is no sink to save them to.
    struct RebuildResult: Sendable {
        var summary: ReplaySummary
        var states: [String: SubscriptionState]
    }

    private struct DecodedPage: Sendable {
        var rows: [ReplayRow]
        /// nil for rows that name no subscription (never decoded).
        var decoded: [DecodedEvent?]
    }

    private func runRebuild(
        reader: any StoredEventReader, total: Int, unsent: Set<String>, now: UnixTime, sink: DerivedStateSink?,
        progress: @escaping @Sendable (ReplayProgress) -> Void
    ) async throws -> RebuildResult {
        var engine = RebuildEngine(configuration: machine, options: .rebuild(customersWithUnsentUsage: unsent), now: now)
        var page = try await readAndDecode(reader, after: nil)
        progress(ReplayProgress(done: 0, total: total))
        while let last = page.rows.last {
            // The next page is read (on a reader thread) and decoded (on the other cores) while this one is applied.
            async let next = readAndDecode(reader, after: last.cursor)
            let (actions, outcomes) = engine.apply(page.rows, page.decoded)
            try await sink?.add(actions: actions)
            try await sink?.add(outcomes: outcomes)
            progress(ReplayProgress(done: engine.summary.read, total: max(total, engine.summary.read)))
            page = try await next
        }
        // Computed first: `sink?.add(actions: engine.fireTimersDueNow())` would skip the timers of a dry run.
        logger.debug("Rebuild: every event applied", metadata: ["rebuild.events": "\(engine.summary.read)"])
        let timerActions = engine.fireTimersDueNow()
        try await sink?.add(actions: timerActions)
        var summary = engine.summary
        summary.subscriptions = engine.workflows.count
        summary.timersFired = engine.timersFired
        summary.finalFlushesConfirmed = engine.finalFlushesConfirmed
        let states = engine.workflows.mapValues(\.state)
        engine.workflows = [:]
        guard let sink else { return RebuildResult(summary: summary, states: states) }
        try await save(Array(states.values), to: sink, now: now)
        logger.debug("Rebuild: every state encoded", metadata: ["rebuild.subscriptions": "\(states.count)"])
        return RebuildResult(summary: summary, states: [:])
    }

    private func readAndDecode(_ reader: any StoredEventReader, after cursor: EventCursor?) async throws -> DecodedPage {
        let rows = try await reader.replayRows(after: cursor, limit: pageSize)
        let chunk = max((rows.count + decoders - 1) / max(decoders, 1), 1)
        let decoded = await withTaskGroup(of: (Int, [DecodedEvent?]).self) { group in
            for start in stride(from: 0, to: rows.count, by: chunk) {
                group.addTask {
                    (start, rows[start..<min(start + chunk, rows.count)].map(Self.decode))
                }
            }
            var decoded = [DecodedEvent?](repeating: nil, count: rows.count)
            for await (start, part) in group {
                decoded.replaceSubrange(start..<(start + part.count), with: part)
            }
            return decoded
        }
        return DecodedPage(rows: rows, decoded: decoded)
    }

    /// A row's input: nil for a row that names no subscription.
    private static func decode(_ row: ReplayRow) -> DecodedEvent? {
        guard row.subscriptionID != nil else { return nil }
        return DecodedEvent.decode(type: row.type, payload: row.payload)
    }

    /// Encodes every state once (JSONEncoder, ~70 µs each: spread over the cores) and streams them to the writer.
    private func save(_ states: [SubscriptionState], to sink: DerivedStateSink, now: UnixTime) async throws {
        let chunk = max((states.count + decoders - 1) / max(decoders, 1), 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for start in stride(from: 0, to: states.count, by: chunk) {
                group.addTask {
                    var records: [SubscriptionRecord] = []
                    var timers: [TimerRecord] = []
                    for state in states[start..<min(start + chunk, states.count)] {
                        records.append(try SubscriptionStateCodec.record(state, at: now))
                        timers += SubscriptionStateCodec.timers(state)
                        if records.count == 512 {
                            try await sink.add(subscriptions: records, timers: timers)
                            records.removeAll(keepingCapacity: true)
                            timers.removeAll(keepingCapacity: true)
                        }
                    }
                    try await sink.add(subscriptions: records, timers: timers)
                }
            }
            try await group.waitForAll()
        }
    }
}

/// The sequential part of a rebuild: every event applied, in order, to its subscription's workflow.
struct RebuildEngine: Sendable {
    let configuration: BillingMachineConfiguration
    let options: WorkflowOptions
    let now: UnixTime
    var workflows: [String: SubscriptionWorkflow] = [:]
    var summary = ReplaySummary(mode: "rebuild")
    /// Timers the rebuild fired where the scheduler had.
    var timersFired = 0
    /// Final flushes the rebuild confirmed where the reporter had, locking their periods.
    var finalFlushesConfirmed = 0

    init(configuration: BillingMachineConfiguration, options: WorkflowOptions, now: UnixTime) {
        self.configuration = configuration
        self.options = options
        self.now = now
    }

    /// Applies a page; returns the actions to record and the event statuses that change.
    mutating func apply(_ rows: [ReplayRow], _ decoded: [DecodedEvent?]) -> ([RebuildAction], [RebuildEventOutcome]) {
        var actions: [RebuildAction] = []
        var outcomes: [RebuildEventOutcome] = []
        for (row, decoded) in zip(rows, decoded) {
            summary.read += 1
            var outcome = EventOutcome.withoutSubscription(type: row.type)
            if let subscriptionID = row.subscriptionID, let decoded {
                let fresh = SubscriptionWorkflow(state: SubscriptionState(subscriptionID: subscriptionID), configuration: configuration, options: options)
                // Modified in place through the dictionary (no copy of the state per event).
                workflows[subscriptionID, default: fresh].apply(.event(id: row.id, created: row.created, decoded), now: now)
                let output = workflows[subscriptionID, default: fresh].takeOutput()
                record(output, of: subscriptionID, into: &actions)
                outcome = output.events.last?.outcome ?? .ignored
            }
            let status: EventStatus
            switch outcome {
            case .processed:
                status = .processed
                summary.applied += 1
            case .ignored:
                status = .ignored
                summary.ignored += 1
            case .failed(let error):
                status = .failed
                summary.recordFailure(id: row.id, type: row.type, error: error)
                outcomes.append(RebuildEventOutcome(id: row.id, status: status, error: error))
                continue
            }
            if status != row.status { outcomes.append(RebuildEventOutcome(id: row.id, status: status)) }
        }
        return (actions, outcomes)
    }

    /// Fires the timers due by now on every subscription, as the scheduler has; returns their actions.
    mutating func fireTimersDueNow() -> [RebuildAction] {
        var actions: [RebuildAction] = []
        for id in workflows.keys.sorted() {
            workflows[id]?.fireTimers(dueBy: now)
            guard let output = workflows[id]?.takeOutput() else { continue }
            record(output, of: id, into: &actions)
        }
        return actions
    }

    /// The outbox actions of `output` as the rebuild records them, and its counts in the summary.
    private mutating func record(_ output: WorkflowOutput, of subscriptionID: String, into actions: inout [RebuildAction]) {
        let outbox = output.outbox
        actions += outbox.map { RebuildAction(subscriptionID: subscriptionID, eventID: $0.eventID, action: $0.action) }
        summary.actions += outbox.count
        timersFired += output.firedTimers.count
        finalFlushesConfirmed += output.finalFlushesConfirmed
    }
}
