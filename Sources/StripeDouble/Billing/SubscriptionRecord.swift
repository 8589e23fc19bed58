import BillingCore
import StripeEventBuilders

/// One subscription as the double keeps it: its items now, its periods, and what each closed period bills.
struct SubscriptionRecord: Sendable {
    /// A live item and since when its current price is in effect (a price change or the item's creation).
    struct Item: Sendable {
        var id: String
        var price: TestPrice
        var since: Int64
    }

    var id: String
    var customer: String
    var billingMode: DoubleBillingMode
    var status: String
    /// The API shape its webhooks are rendered in (the endpoint's API version).
    var shape: APIShape
    var created: Int64
    var currentPeriod: BillingPeriod
    var items: [Item]
    var cancelAtPeriodEnd = false
    var canceledAt: Int64?
    var endedAt: Int64?
    /// The schedule that plans its migration, and the price swaps of the next phase (item id → price).
    var schedule: String?
    var plannedPhase: [String: TestPrice] = [:]
    /// Closed periods and when each one's invoice finalizes.
    var closed: [(period: BillingPeriod, finalizesAt: Int64)] = []

    /// The logical subscription the event builders render.
    var testSubscription: TestSubscription {
        TestSubscription(
            id: id, customer: customer, status: status,
            items: items.map { TestItem(id: $0.id, price: $0.price, period: currentPeriod) },
            cancelAtPeriodEnd: cancelAtPeriodEnd, cancelAt: cancelAtPeriodEnd ? currentPeriod.end : nil, canceledAt: canceledAt,
            endedAt: endedAt, schedule: schedule, billingMode: billingMode.rawValue)
    }

    var isEnded: Bool { endedAt != nil }
}

/// A meter-priced item's share of a period: the meter events Stripe bills on it, evaluated when asked, because
/// events stamped in the period still count when they arrive before the invoice finalizes.
struct MeterLine: Sendable {
    var customer: String
    var subscription: String
    var product: String
    var period: BillingPeriod
    var meterID: String
    /// Event timestamps in `[from, to)` count.
    var from: Int64
    var to: Int64
    /// Events received at or after this never count (`automatically_finalizes_at`); nil while the period is open.
    var arrivedBefore: Int64?
}

/// An invoice the model created, waiting for its automatic finalization.
struct PendingInvoice: Sendable {
    var id: String
    var subscription: String
    var period: BillingPeriod
    var billingReason: String
    var finalizesAt: Int64
    /// The subscription as it was invoiced, for the invoice's lines.
    var snapshot: TestSubscription
    var shape: APIShape
}

/// The subscription model's part of the double's state.
struct SubscriptionBook: Sendable {
    var subscriptions: [String: SubscriptionRecord] = [:]
    /// Creation order, for Stripe's newest-first lists.
    var order: [String] = []
    /// Quantities fixed when they were invoiced: legacy usage at a period's close, flexible mode's prior usage at a switch.
    var fixedLines: [InvoicedUsage] = []
    var meterLines: [MeterLine] = []
    var pendingInvoices: [PendingInvoice] = []
    /// Seconds between a period's invoice creation and its automatic finalization (Stripe's default grace: one hour).
    var finalizationGrace: Int64 = 3_600
}
