extension SubscriptionState {
    /// Whether usage of the subscription's items must wait instead of being reported now, by its status
    /// (docs/billing-rules.md, "Subscription statuses"; https://docs.stripe.com/billing/subscriptions/overview#subscription-statuses):
    ///
    /// | status | usage |
    /// |---|---|
    /// | `trialing`, `active`, `past_due`, `unpaid` | reported to the item: Stripe keeps invoicing these |
    /// | `paused` | waits: a paused subscription generates no invoices; after the resume it is carried into the new period |
    /// | `incomplete` | waits: only metadata and the payment source may change until the first invoice is paid |
    /// | `incomplete_expired`, `canceled` | the subscription ended (`hasEnded`): nothing more goes to its items |
    public var holdsUsage: Bool {
        switch status {
        case .paused?, .incomplete?: return true
        default: return false
        }
    }
}
