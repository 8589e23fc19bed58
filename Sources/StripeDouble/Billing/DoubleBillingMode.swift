import BillingCore
import StripeEventBuilders

/// A subscription's `billing_mode.type`: how Stripe bills usage when an item's price changes inside a period
/// (https://docs.stripe.com/billing/subscriptions/billing-mode).
public enum DoubleBillingMode: String, Sendable, Hashable, CaseIterable {
    /// Stripe bills only usage reported after the change: the old price's usage of the period is dropped.
    case classic
    /// Stripe invoices the usage before the change itself (an invoice item on the old price), then bills usage after it.
    case flexible
}

/// One item of a simulated subscription: its id and the price it is on.
public struct DoubleSubscriptionItem: Sendable, Equatable {
    public var id: String
    public var price: TestPrice

    public init(id: String, price: TestPrice) {
        self.id = id
        self.price = price
    }
}

/// A webhook event the double's subscription model produced: what Stripe would deliver for a change it made.
public struct DoubleWebhook: Sendable {
    public var id: String
    public var type: String
    public var created: Int64
    public var payload: JSONValue

    /// The event's bytes, ready to be signed and delivered.
    public var bytes: [UInt8] { payload.serializedBytes }
}

/// What Stripe invoices for one customer, product and period: a quantity, not money.
public struct InvoicedUsage: Sendable, Hashable, CustomStringConvertible {
    public var customer: String
    public var subscription: String
    public var product: String
    public var period: BillingPeriod
    public var quantity: Int64

    public var description: String { "\(customer)/\(product) [\(period.start), \(period.end)) = \(quantity)" }
}

extension TestPrice {
    /// The price as BillingCore models it, for the legacy usage-record endpoint's checks.
    var corePrice: Price {
        let aggregate: AggregateUsage? = mode == .legacy ? AggregateUsage(rawValue: aggregateUsage) : nil
        return Price(
            id: id, productID: product, active: true, type: "recurring",
            recurring: PriceRecurring(
                interval: "month", intervalCount: 1, usageType: mode == .none ? .licensed : .metered, aggregateUsage: aggregate,
                meterID: mode == .meter ? meter : nil))
    }
}
