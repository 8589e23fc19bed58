extension BillingStateMachine {
    /// Flushes the periods a due timer prepares; returns false when the timer is stale.
    ///
    /// Legacy usage must reach Stripe before the boundary (records must be timestamped inside the
    /// current period), so the pre-boundary flush runs `boundaryLead` before it and the final one
    /// `finalFlushMargin` before it; the first to run moves the period to `closing`.
    mutating func fireTimer(_ id: BillingTimerID, now: Int64, into actions: inout [BillingAction]) -> Bool {
        guard id.subscriptionID == state.subscriptionID else {
            preconditionFailure("Invalid state: timer \(id) routed to the machine of \(state.subscriptionID)")
        }
        // Not armed any more: its boundary moved or passed, or it fired already (it was cancelled).
        guard let timer = state.timers.first(where: { $0.kind == id.kind && $0.boundary == id.boundary }) else { return false }
        // Early (clock skew between instances): it stays armed and fires again.
        guard now >= timer.fireAt else { return false }
        let reason = id.kind.flushReason
        var flushes: [UsageFlush] = []
        var touched: [(Int, Int)] = []
        state.forEachCurrentPeriod(closedBy: id.boundary) { touched.append(($0, $1)) }
        for (itemIndex, periodIndex) in touched {
            _ = state.items[itemIndex].periods[periodIndex].raise(to: .closing)
            if state.items[itemIndex].periods[periodIndex].markFlushed(reason) {
                let item = state.items[itemIndex]
                flushes.append(flush(item.id, state.effectivePeriod(item, at: periodIndex), reason))
            }
        }
        actions += flushes.map(BillingAction.flush)
        return true
    }

    /// The timers the state needs: for each predictable boundary (a current period's end,
    /// `cancel_at`, a planned phase start) a pre-boundary and a final flush, unless every period
    /// the boundary closes has had that flush. None once the subscription is over.
    func derivedTimers() -> [BillingTimer] {
        guard !state.isOver else { return [] }
        var timers: [BillingTimer] = []
        for item in state.items where !item.isRemoved {
            if let last = item.periods.last, last.state < .ended, last.modes.isUsageBased { addTimers(before: last.end, to: &timers) }
        }
        if let cancelAt = state.cancelAt { addTimers(before: cancelAt, to: &timers) }
        if !state.schedules.isEmpty {
            for transition in state.plannedTransitions { addTimers(before: transition.effectiveAt, to: &timers) }
        }
        if timers.count > 1 { timers.sort(by: BillingTimer.canonicalOrder) }
        return timers
    }

    /// Adds the timers of one boundary, once, unless every period it closes has had that flush.
    private func addTimers(before boundary: Int64, to timers: inout [BillingTimer]) {
        guard !timers.contains(where: { $0.boundary == boundary }) else { return }
        var needsPre = false
        var needsFinal = false
        state.forEachCurrentPeriod(closedBy: boundary) { itemIndex, periodIndex in
            let flushed = state.items[itemIndex].periods[periodIndex].flushed
            needsPre = needsPre || !flushed.contains(.preBoundary)
            needsFinal = needsFinal || !flushed.contains(.final)
        }
        if needsPre {
            timers.append(BillingTimer(kind: .preBoundary, boundary: boundary, fireAt: boundary - configuration.boundaryLead))
        }
        if needsFinal {
            timers.append(BillingTimer(kind: .finalFlush, boundary: boundary, fireAt: boundary - configuration.finalFlushMargin))
        }
    }

    /// Re-derives the timers and emits the difference: cancel those no longer needed (except the
    /// one that just fired), schedule the new ones. A moved boundary is a cancel plus a schedule.
    mutating func refreshTimers(into actions: inout [BillingAction], firedTimer: BillingTimerID?) {
        let timers = derivedTimers()
        guard timers != state.timers else { return }
        let subscriptionID = state.subscriptionID
        for old in state.timers where !timers.contains(old) {
            let id = old.id(subscriptionID: subscriptionID)
            if id != firedTimer { actions.append(.cancelTimer(id)) }
        }
        for new in timers where !state.timers.contains(new) {
            actions.append(.scheduleTimer(new.id(subscriptionID: subscriptionID), fireAt: new.fireAt))
        }
        state.timers = timers
    }

    /// The items to shadow: those a pending transition moves from a legacy price to a meter price.
    func derivedShadowMeters() -> [ShadowMeter] {
        guard configuration.shadowMeter, !state.schedules.isEmpty, !state.isOver else { return [] }
        var shadows: [ShadowMeter] = []
        for transition in state.plannedTransitions where transition.isMeterMigration {
            guard let itemID = transition.itemID else { continue }
            if let index = shadows.firstIndex(where: { $0.itemID == itemID }) {
                shadows[index].until = min(shadows[index].until, transition.effectiveAt)
            } else {
                shadows.append(ShadowMeter(itemID: itemID, until: transition.effectiveAt))
            }
        }
        shadows.sort { $0.itemID < $1.itemID }
        return shadows
    }

    /// Re-derives the shadow meters and emits start/stop for the difference.
    mutating func refreshShadowMeters(into actions: inout [BillingAction]) {
        let shadows = derivedShadowMeters()
        guard shadows != state.shadowMeters else { return }
        for old in state.shadowMeters where !shadows.contains(where: { $0.itemID == old.itemID }) {
            actions.append(.stopShadowMeter(itemID: old.itemID))
        }
        for new in shadows where !state.shadowMeters.contains(new) {
            actions.append(.startShadowMeter(itemID: new.itemID, until: new.until))
        }
        state.shadowMeters = shadows
    }
}
