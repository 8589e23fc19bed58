/// Everything the billing state machine reacts to: one case per Stripe event type it handles,
/// plus the processor's own inputs (a timer fired, a final flush was acknowledged).
public enum BillingInput: Sendable, Equatable {
    case subscriptionCreated(SubscriptionSnapshot)
    case subscriptionUpdated(SubscriptionSnapshot)
    case subscriptionDeleted(SubscriptionSnapshot)
    case subscriptionPaused(SubscriptionSnapshot)
    case subscriptionResumed(SubscriptionSnapshot)
    case subscriptionPendingUpdateApplied(SubscriptionSnapshot)

    case invoiceCreated(InvoiceSnapshot)
    case invoiceFinalized(InvoiceSnapshot)
    case invoicePaid(InvoiceSnapshot)
    case invoicePaymentFailed(InvoiceSnapshot)
    case invoiceVoided(InvoiceSnapshot)
    case invoiceMarkedUncollectible(InvoiceSnapshot)
    /// Informational: the invoice does not exist yet and has no id.
    case invoiceUpcoming(InvoiceSnapshot)

    case scheduleCreated(ScheduleSnapshot)
    case scheduleUpdated(ScheduleSnapshot)
    case scheduleExpiring(ScheduleSnapshot)
    case scheduleReleased(ScheduleSnapshot)
    case scheduleCanceled(ScheduleSnapshot)
    case scheduleCompleted(ScheduleSnapshot)
    case scheduleAborted(ScheduleSnapshot)

    /// The thin `v1.billing.meter.error_report_triggered` event.
    case meterErrorReportTriggered(MeterErrorReport)

    /// A timer the machine scheduled (`BillingAction.scheduleTimer`) is due.
    case timerFired(BillingTimerID)
    /// Stripe acknowledged the `final` flush of this item's period (after deletion or removal).
    case finalFlushConfirmed(itemID: String, periodStart: Int64)

    /// The Stripe event id behind the input, nil for the processor's own inputs.
    public var eventID: String? {
        switch self {
        case .subscriptionCreated(let snapshot), .subscriptionUpdated(let snapshot), .subscriptionDeleted(let snapshot),
            .subscriptionPaused(let snapshot), .subscriptionResumed(let snapshot), .subscriptionPendingUpdateApplied(let snapshot):
            return snapshot.eventID
        case .invoiceCreated(let snapshot), .invoiceFinalized(let snapshot), .invoicePaid(let snapshot),
            .invoicePaymentFailed(let snapshot), .invoiceVoided(let snapshot), .invoiceMarkedUncollectible(let snapshot),
            .invoiceUpcoming(let snapshot):
            return snapshot.eventID
        case .scheduleCreated(let snapshot), .scheduleUpdated(let snapshot), .scheduleExpiring(let snapshot),
            .scheduleReleased(let snapshot), .scheduleCanceled(let snapshot), .scheduleCompleted(let snapshot),
            .scheduleAborted(let snapshot):
            return snapshot.eventID
        case .meterErrorReportTriggered(let report):
            return report.eventID
        case .timerFired, .finalFlushConfirmed:
            return nil
        }
    }
}
