extension BillingStateMachine {
    /// Keeps the state compact: once more than `retainedInvoices` renewal invoices are finalized,
    /// history up to the end of the newest surplus one (`horizon`) goes: periods and invoices that
    /// ended by then, removed items left without periods, schedules that plan nothing after it.
    /// Events about that history are ignored from then on.
    ///
    /// The horizon only moves forward and depends only on which invoices are finalized, so pruning
    /// does not make the final state depend on the delivery order for events inside the window.
    mutating func pruneHistory() {
        advanceHorizon()
        guard let horizon = state.horizon else { return }
        if let oldest = state.invoices.first, oldest.period.end <= horizon {
            state.invoices.removeAll { $0.period.end <= horizon }
        }
        for index in state.items.indices where state.items[index].periods.first.map({ $0.end <= horizon }) ?? false {
            // A long-running period (a yearly item beside monthly ones) straddles the horizon and stays.
            state.items[index].periods.removeAll { $0.end <= horizon }
        }
        for itemIndex in state.items.indices {
            for periodIndex in state.items[itemIndex].periods.indices {
                state.items[itemIndex].periods[periodIndex].forgetSightings(before: horizon)
            }
        }
        if state.items.contains(where: { $0.isRemoved && $0.periods.isEmpty }) {
            state.items.removeAll { $0.isRemoved && $0.periods.isEmpty }
        }
        state.schedules.removeAll { schedule in
            schedule.created < horizon && (schedule.nextChange.map { $0.startDate <= horizon } ?? true)
        }
    }

    /// Moves the horizon to the end of the newest finalized invoice beyond the retained ones.
    private mutating func advanceHorizon() {
        let retained = configuration.retainedInvoices
        guard state.invoices.count > retained else { return }
        // Invoices are sorted by period end: count finalized ones from the newest.
        var finalized = 0
        // Only renewals count: another invoice (a proration) may bill no period, and its end is no boundary.
        for invoice in state.invoices.reversed() where invoice.stage.isFinalized && invoice.isRenewal {
            finalized += 1
            if finalized == retained + 1 {
                state.horizon = max(invoice.period.end, state.horizon ?? Int64.min)
                return
            }
        }
    }
}
