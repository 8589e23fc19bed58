/// The next phase of a schedule, reduced to what it changes: the prices it drops and adds at `startDate`.
public struct PhaseChange: Sendable, Hashable, Codable {
    /// The next phase's `start_date`.
    public var startDate: Int64
    /// Prices in the phase before and not in the next one.
    public var removed: [PhasePrice]
    /// Prices in the next phase and not in the one before.
    public var added: [PhasePrice]

    public init(startDate: Int64, removed: [PhasePrice], added: [PhasePrice]) {
        self.startDate = startDate
        self.removed = removed
        self.added = added
    }

    /// The next phase after `time` (the schedule event's `created`, never the wall clock, so that
    /// every replay computes the same plan), or nil when no phase starts later.
    init?(schedule: SubscriptionSchedule, after time: Int64) {
        guard let next = schedule.nextPhase(after: time) else { return nil }
        let before = schedule.phases.filter { $0.startDate < next.startDate }.max { $0.startDate < $1.startDate }
        let beforeIDs = Set(before?.items.map(\.priceID) ?? [])
        let nextIDs = Set(next.items.map(\.priceID))
        self.init(
            startDate: next.startDate,
            removed: (before?.items ?? []).filter { !nextIDs.contains($0.priceID) }.map(PhasePrice.init),
            added: next.items.filter { !beforeIDs.contains($0.priceID) }.map(PhasePrice.init)
        )
    }
}
