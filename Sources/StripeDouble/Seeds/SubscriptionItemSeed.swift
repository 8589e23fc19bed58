import BillingCore

/// A subscription item as the double starts it: its subscription, customer, price and current period.
public struct SubscriptionItemSeed: Sendable {
    public var id: String
    public var subscription: String
    public var customer: String
    /// The item's price: usage records need `recurring.usage_type=metered` and no `recurring.meter`.
    public var price: Price
    /// `[current_period_start, current_period_end)`.
    public var currentPeriod: BillingPeriod

    public init(id: String, subscription: String, customer: String, price: Price, currentPeriod: BillingPeriod) {
        self.id = id
        self.subscription = subscription
        self.customer = customer
        self.price = price
        self.currentPeriod = currentPeriod
    }

    /// An item on a legacy metered price (no meter) with the given `aggregate_usage`.
    public static func legacyMetered(
        id: String,
        subscription: String,
        customer: String,
        priceID: String = "price_legacy",
        aggregateUsage: AggregateUsage = .sum,
        currentPeriod: BillingPeriod
    ) -> SubscriptionItemSeed {
        let recurring = PriceRecurring(interval: "month", intervalCount: 1, usageType: .metered, aggregateUsage: aggregateUsage)
        return SubscriptionItemSeed(
            id: id,
            subscription: subscription,
            customer: customer,
            price: Price(id: priceID, type: "recurring", recurring: recurring),
            currentPeriod: currentPeriod
        )
    }
}
