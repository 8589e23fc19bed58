/// The event types meterbridge reacts to; every other type is stored and marked `ignored`.
public enum EventType {
    public static let subscriptionCreated = "customer.subscription.created"
    public static let subscriptionUpdated = "customer.subscription.updated"
    public static let subscriptionDeleted = "customer.subscription.deleted"
    public static let subscriptionPaused = "customer.subscription.paused"
    public static let subscriptionResumed = "customer.subscription.resumed"
    public static let subscriptionPendingUpdateApplied = "customer.subscription.pending_update_applied"

    public static let invoiceCreated = "invoice.created"
    public static let invoiceFinalized = "invoice.finalized"
    public static let invoicePaid = "invoice.paid"
    public static let invoiceVoided = "invoice.voided"
    public static let invoiceMarkedUncollectible = "invoice.marked_uncollectible"
    public static let invoiceUpcoming = "invoice.upcoming"
    public static let invoicePaymentFailed = "invoice.payment_failed"

    public static let scheduleCreated = "subscription_schedule.created"
    public static let scheduleUpdated = "subscription_schedule.updated"
    public static let scheduleReleased = "subscription_schedule.released"
    public static let scheduleCanceled = "subscription_schedule.canceled"
    public static let scheduleCompleted = "subscription_schedule.completed"
    public static let scheduleAborted = "subscription_schedule.aborted"
    public static let scheduleExpiring = "subscription_schedule.expiring"

    /// A thin (v2) event: Stripe could not process some meter events.
    public static let meterErrorReportTriggered = "v1.billing.meter.error_report_triggered"

    /// Every type above.
    public static let handled: Set<String> = [
        subscriptionCreated, subscriptionUpdated, subscriptionDeleted, subscriptionPaused, subscriptionResumed,
        subscriptionPendingUpdateApplied,
        invoiceCreated, invoiceFinalized, invoicePaid, invoiceVoided, invoiceMarkedUncollectible, invoiceUpcoming,
        invoicePaymentFailed,
        scheduleCreated, scheduleUpdated, scheduleReleased, scheduleCanceled, scheduleCompleted, scheduleAborted,
        scheduleExpiring,
        meterErrorReportTriggered,
    ]
}
