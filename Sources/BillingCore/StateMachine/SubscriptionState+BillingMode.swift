extension SubscriptionState {
    /// The billing mode Stripe bills the subscription in: the latest snapshot's `billing_mode.type`, classic when no
    /// snapshot stated one (https://docs.stripe.com/billing/subscriptions/billing-mode).
    public var billingMode: BillingMode {
        billingModeValue.map(BillingMode.init(rawValue:)) ?? .classic
    }

    /// Whether Stripe drops the usage reported before a mid-cycle price change, so meterbridge must report it again on
    /// the new price: in the classic mode only. In the flexible mode Stripe itself invoices the usage before the
    /// change (a re-report would bill it twice). An unknown mode is treated as classic, Stripe's default.
    public var dropsUsageBeforeMidCycleSwitch: Bool {
        billingMode != .flexible
    }
}
