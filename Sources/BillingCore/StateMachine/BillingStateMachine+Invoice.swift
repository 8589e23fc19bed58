extension BillingStateMachine {
    /// Merges an invoice fact; returns false when it changes nothing.
    ///
    /// Stripe's renewal timeline: at the boundary it creates a draft invoice (`billing_reason:
    /// subscription_cycle`, `period_*` = the period that ended), finalizes it about an hour later,
    /// then charges it. The draft reveals the boundary (period `invoiced`); finalization ends
    /// billing for the period (`locked`). Facts only move an invoice forward, so a late
    /// `invoice.created` never reopens a finalized period.
    ///
    /// Every invoice that bills a period closes it the same way, not only renewals: an update that resets the billing
    /// cycle anchor (`subscription_update`) ends the period early and invoices it, and so does an immediate cancellation
    /// that invoices now (https://docs.stripe.com/billing/subscriptions/billing-cycle#reset-the-billing-cycle-to-the-current-time,
    /// https://docs.stripe.com/api/subscriptions/cancel). Such an invoice bills only periods the facts show ended by its end.
    mutating func mergeInvoice(_ snapshot: InvoiceSnapshot, stage eventStage: InvoiceStage) -> Bool {
        let invoice = snapshot.invoice
        if let owner = invoice.subscriptionID, owner != state.subscriptionID {
            preconditionFailure("Invalid state: invoice of \(owner) routed to the machine of \(state.subscriptionID)")
        }
        // Manual invoices, pending invoice items and previews bill nothing the local periods track.
        guard let reason = invoice.billingReason, reason.mayBillSubscriptionPeriod else { return false }
        // An invoice that bills a period always has an id and a period; without them there is nothing to match.
        guard let id = invoice.id, let period = invoice.period else { return false }
        // The period was pruned with the retained history.
        if let horizon = state.horizon, period.end <= horizon { return false }

        var stage = max(eventStage, InvoiceStage(invoice.status))
        if invoice.finalizedAt != nil { stage = max(stage, .open) }
        if let index = state.invoices.firstIndex(where: { $0.id == id }) {
            let rescheduled = state.invoices[index].observeFinalization(at: invoice.automaticallyFinalizesAt, created: snapshot.created)
            // A duplicate, or a late event about an earlier stage.
            guard stage > state.invoices[index].stage else { return rescheduled }
            state.invoices[index].stage = stage
            return true
        }
        var record = InvoiceRecord(id: id, period: period, stage: stage, reason: reason)
        _ = record.observeFinalization(at: invoice.automaticallyFinalizesAt, created: snapshot.created)
        let insertAt = state.invoices.firstIndex { InvoiceRecord.canonicalOrder(record, $0) } ?? state.invoices.endIndex
        state.invoices.insert(record, at: insertAt)
        return true
    }

    /// Records a meter error report; surfaces every report but the one recorded last.
    mutating func recordMeterError(_ report: MeterErrorReport) -> [BillingAction] {
        if let last = state.lastMeterError {
            // A redelivery of the report recorded last.
            if last == report { return [] }
            if report.isNewer(than: last) { state.lastMeterError = report }
        } else {
            state.lastMeterError = report
        }
        return [.meterErrorReported(report)]
    }
}
