/// One thing that happened to a subscription, in the order the workflow applies them: its Stripe events (the
/// processor), its due timers (the scheduler) and the acknowledgement of a final flush (the reporter).
public enum WorkflowInput: Sendable, Equatable {
    /// A stored Stripe event of the subscription, decoded.
    case event(id: String, created: Int64, DecodedEvent)
    /// A timer the scheduler found due, by its stored id (`BillingTimerID`'s text form).
    case timer(id: String)
    /// Stripe acknowledged the final flush of this item's period.
    case finalFlushConfirmed(itemID: String, periodStart: Int64)
}
