import BillingCore
import BillingStore

/// `replay --dry-run`: the same selection and the same machine as a replay, applied to copies of the stored states,
/// reported event by event; nothing is written (the CLI reads through `SQLiteReadOnlyDatabase`).
extension Replayer {
    /// What a dry run found.
    public struct DryRunResult: Sendable {
        public var summary: ReplaySummary
        /// Per event, in `created` order per subscription (a replay of selected events).
        public var events: [ReplayEventReport]
        /// Per subscription whose rebuilt state would differ from the stored one (a rebuild).
        public var subscriptions: [SubscriptionRebuildReport]
    }

    public func dryRun(
        _ options: ReplayOptions, reader: any StoredEventReader, progress: @escaping @Sendable (ReplayProgress) -> Void = { _ in }
    ) async throws -> DryRunResult {
        let started = ContinuousClock.now
        if options.rebuild {
            precondition(options.file == nil, "a rebuild dry run reads the store only")
            var (summary, subscriptions) = try await rebuildDryRun(reader: reader, progress: progress)
            summary.elapsedSeconds = (ContinuousClock.now - started).seconds
            return DryRunResult(summary: summary, events: [], subscriptions: subscriptions)
        }
        var summary = ReplaySummary(mode: "dry_run")
        let candidates = try await select(options, reader: reader, summary: &summary)
        summary.read = candidates.count
        let now = clock.now
        var reports: [ReplayEventReport] = []
        let (order, groups, unrouted) = SubscriptionGroups.group(candidates, subscription: \.subscriptionID)
        for event in unrouted {
            let processed = EventOutcome.withoutSubscription(type: event.type) == .processed
            if processed { summary.applied += 1 } else { summary.ignored += 1 }
            reports.append(ReplayEventReport(
                id: event.id, type: event.type, created: event.created, subscription: nil, outcome: processed ? "applied" : "ignored",
                error: nil, changes: [], actions: []
            ))
        }
        for subscriptionID in order {
            let stored = try await reader.subscription(id: subscriptionID)
            var workflow = SubscriptionWorkflow(
                state: try stored.map(SubscriptionStateCodec.decode) ?? SubscriptionState(subscriptionID: subscriptionID), configuration: machine
            )
            var changed = false
            for event in groups[subscriptionID] ?? [] {
                let before = workflow.state
                workflow.apply(.event(id: event.id, created: event.created, DecodedEvent.decode(type: event.type, payload: event.payload)), now: now)
                let output = workflow.takeOutput()
                var report = ReplayEventReport(
                    id: event.id, type: event.type, created: event.created, subscription: subscriptionID, outcome: "applied", error: nil,
                    changes: StateDiff.lines(from: before, to: workflow.state), actions: output.actions.map { StateDiff.describe($0.action) }
                )
                switch output.events.last?.outcome {
                case .processed?:
                    summary.applied += 1
                    summary.actions += output.outbox.count
                    changed = changed || !report.changes.isEmpty
                case .ignored?, nil:
                    report.outcome = "ignored"
                    summary.ignored += 1
                case .failed(let error)?:
                    report.outcome = "failed"
                    report.error = error
                    summary.recordFailure(id: event.id, type: event.type, error: error)
                }
                reports.append(report)
            }
            if changed { summary.subscriptions += 1 }
            progress(ReplayProgress(done: reports.count, total: candidates.count))
        }
        summary.elapsedSeconds = (ContinuousClock.now - started).seconds
        return DryRunResult(summary: summary, events: reports, subscriptions: [])
    }

    /// An event a dry run would replay.
    private struct Candidate: Sendable {
        var id: String
        var type: String
        var created: Int64
        var subscriptionID: String?
        var payload: [UInt8]

        init(_ event: ReceivedEvent) {
            (id, type, created, subscriptionID, payload) = (event.id, event.type, event.created, event.subscriptionID, event.payload)
        }
    }

    /// The events a replay with `options` would take: the file's new (or repairable) ones, else the store's matches.
    private func select(_ options: ReplayOptions, reader: any StoredEventReader, summary: inout ReplaySummary) async throws -> [Candidate] {
        guard let file = options.file else {
            let events = options.eventIDs.isEmpty
                ? try await reader.events(options.query) : try await Self.events(ids: options.eventIDs, query: options.query, in: reader)
            return events.map { Candidate($0.event) }
        }
        var stored: [String: StoredEvent] = [:]
        for event in try await Self.events(ids: file.events.map(\.id), query: EventQuery(), in: reader) { stored[event.id] = event }
        var seen = Set<String>()
        var candidates: [Candidate] = []
        for event in file.events {
            guard seen.insert(event.id).inserted else {
                summary.skipped += 1
                continue
            }
            if let existing = stored[event.id] {
                guard existing.status == .failed || existing.status == .dead, existing.event.payload != event.payload else {
                    summary.skipped += 1
                    continue
                }
                summary.repaired += 1
            } else {
                summary.imported += 1
            }
            if options.admits(event) { candidates.append(Candidate(event)) }
        }
        return candidates.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
    }
}
