extension BillingStateMachine {
    /// Merges a schedule snapshot; returns false when it changes nothing.
    ///
    /// Stripe moves a subscription to the next phase at `phases[n].start_date` (its migration
    /// guide swaps the legacy price for the meter price that way, at the end of a cycle). The next
    /// phase is computed against the event's `created`, not the clock, so replays agree.
    mutating func mergeSchedule(_ snapshot: ScheduleSnapshot, finished: Bool) -> Bool {
        let schedule = snapshot.schedule
        if let owner = schedule.subscriptionID ?? schedule.releasedSubscriptionID, owner != state.subscriptionID {
            preconditionFailure("Invalid state: schedule of \(owner) routed to the machine of \(state.subscriptionID)")
        }
        // Older than the retained history: it can only describe phases long started.
        if let horizon = state.horizon, snapshot.created < horizon { return false }
        let isFinished: Bool
        switch schedule.status {
        case .released, .canceled, .completed: isFinished = true
        case .notStarted, .active, .unknown: isFinished = finished
        }
        let record = ScheduleRecord(
            id: schedule.id,
            created: snapshot.created,
            eventID: snapshot.eventID,
            isFinished: isFinished,
            nextChange: PhaseChange(schedule: schedule, after: snapshot.created)
        )
        if let index = state.schedules.firstIndex(where: { $0.id == schedule.id }) {
            return state.schedules[index].merge(record)
        }
        let insertAt = state.schedules.firstIndex { $0.id > record.id } ?? state.schedules.endIndex
        state.schedules.insert(record, at: insertAt)
        return true
    }
}
