extension BillingInput {
    /// The input for a decoded Stripe event, in either API shape; nil for event types the state
    /// machine does not handle (docs/billing-rules.md: they are stored and marked `ignored`).
    ///
    /// Throws when a handled type carries an object of the wrong kind or a malformed one.
    public init?(event: StripeEvent) throws(EventDecodingError) {
        switch event.type {
        case EventType.subscriptionCreated: self = .subscriptionCreated(try SubscriptionSnapshot(event: event))
        case EventType.subscriptionUpdated: self = .subscriptionUpdated(try SubscriptionSnapshot(event: event))
        case EventType.subscriptionDeleted: self = .subscriptionDeleted(try SubscriptionSnapshot(event: event))
        case EventType.subscriptionPaused: self = .subscriptionPaused(try SubscriptionSnapshot(event: event))
        case EventType.subscriptionResumed: self = .subscriptionResumed(try SubscriptionSnapshot(event: event))
        case EventType.subscriptionPendingUpdateApplied: self = .subscriptionPendingUpdateApplied(try SubscriptionSnapshot(event: event))
        case EventType.invoiceCreated: self = .invoiceCreated(try InvoiceSnapshot(event: event))
        case EventType.invoiceFinalized: self = .invoiceFinalized(try InvoiceSnapshot(event: event))
        case EventType.invoicePaid: self = .invoicePaid(try InvoiceSnapshot(event: event))
        case EventType.invoicePaymentFailed: self = .invoicePaymentFailed(try InvoiceSnapshot(event: event))
        case EventType.invoiceVoided: self = .invoiceVoided(try InvoiceSnapshot(event: event))
        case EventType.invoiceMarkedUncollectible: self = .invoiceMarkedUncollectible(try InvoiceSnapshot(event: event))
        case EventType.invoiceUpcoming: self = .invoiceUpcoming(try InvoiceSnapshot(event: event))
        case EventType.scheduleCreated: self = .scheduleCreated(try ScheduleSnapshot(event: event))
        case EventType.scheduleUpdated: self = .scheduleUpdated(try ScheduleSnapshot(event: event))
        case EventType.scheduleExpiring: self = .scheduleExpiring(try ScheduleSnapshot(event: event))
        case EventType.scheduleReleased: self = .scheduleReleased(try ScheduleSnapshot(event: event))
        case EventType.scheduleCanceled: self = .scheduleCanceled(try ScheduleSnapshot(event: event))
        case EventType.scheduleCompleted: self = .scheduleCompleted(try ScheduleSnapshot(event: event))
        case EventType.scheduleAborted: self = .scheduleAborted(try ScheduleSnapshot(event: event))
        case EventType.meterErrorReportTriggered: self = .meterErrorReportTriggered(try MeterErrorReport(event: event))
        default: return nil
        }
    }
}
