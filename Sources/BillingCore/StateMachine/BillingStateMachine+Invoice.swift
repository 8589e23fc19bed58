extension BillingStateMachine {
    /// Merges a renewal invoice fact; returns false when it changes nothing.
    ///
    /// Stripe's renewal timeline: at the boundary it creates a draft invoice (`billing_reason:
    /// subscription_cycle`, `period_*` = the period that ended), finalizes it about an hour later,
    /// then charges it. The draft reveals the boundary (period `invoiced`); finalization ends
    /// billing for the period (`locked`). Facts only move an invoice forward, so a late
    /// `invoice.created` never reopens a finalized period.
    mutating func mergeInvoice(_ snapshot: InvoiceSnapshot, stage eventStage: InvoiceStage) -> Bool {
        let invoice = snapshot.invoice
        if let owner = invoice.subscriptionID, owner != state.subscriptionID {
            preconditionFailure("Invalid state: invoice of \(owner) routed to the machine of \(state.subscriptionID)")
        }
        // Only renewal invoices close periods; creation, proration, threshold and manual invoices bill
        // nothing the local periods track.
        guard invoice.billingReason == .subscriptionCycle else { return false }
        // A renewal invoice always has an id and a period; without them there is nothing to match.
        guard let id = invoice.id, let period = invoice.period else { return false }
        // The period was pruned with the retained history.
        if let horizon = state.horizon, period.end <= horizon { return false }

        var stage = max(eventStage, InvoiceStage(invoice.status))
        if invoice.finalizedAt != nil { stage = max(stage, .open) }
        if let index = state.invoices.firstIndex(where: { $0.id == id }) {
            // A duplicate, or a late event about an earlier stage.
            guard stage > state.invoices[index].stage else { return false }
            state.invoices[index].stage = stage
            return true
        }
        let record = InvoiceRecord(id: id, period: period, stage: stage)
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
