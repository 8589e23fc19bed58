import BillingCore
import StripeEventBuilders

/// A subscription's life in signed-ready event documents: legacy usage, a schedule that migrates it to a meter
/// at the renewal, the renewal itself, and cancellation. Shared by the processor and real-server tests.
struct BillingStory {
    /// The default first period starts here; the harness clock (1_763_700_000) is inside it.
    static let defaultStart: Int64 = 1_762_000_000
    static let month: Int64 = 30 * 86_400
    static var firstPeriod: BillingPeriod { BillingPeriod(start: defaultStart, end: defaultStart + month) }
    static var secondPeriod: BillingPeriod { BillingPeriod(start: defaultStart + month, end: defaultStart + 2 * month) }

    let shape: APIShape
    var subscriptionID = "sub_story"
    /// Start of the first period; a real server runs on the wall clock, so its stories start near now.
    var start: Int64 = BillingStory.defaultStart
    var firstPeriod: BillingPeriod { BillingPeriod(start: start, end: start + Self.month) }
    var secondPeriod: BillingPeriod { BillingPeriod(start: start + Self.month, end: start + 2 * Self.month) }
    let legacy = TestPrice.legacy("price_legacy", product: "prod_api")
    let meter = TestPrice.meter("price_meter", product: "prod_api", meter: "mtr_api")

    init(shape: APIShape, subscriptionID: String = "sub_story", start: Int64 = BillingStory.defaultStart) {
        self.shape = shape
        self.subscriptionID = subscriptionID
        self.start = start
    }

    func subscription(price: TestPrice, period: BillingPeriod, cancelAtPeriodEnd: Bool = false) -> TestSubscription {
        TestSubscription(
            id: subscriptionID, customer: "cus_story", items: [TestItem(id: "si_\(subscriptionID)_api", price: price, period: period)],
            cancelAtPeriodEnd: cancelAtPeriodEnd, schedule: "sub_sched_\(subscriptionID)"
        )
    }

    /// Subscribed on the legacy price at the start of the first period.
    var created: [UInt8] {
        TestEvents.subscription("customer.subscription.created", id: "evt_\(subscriptionID)_created", created: start,
                                subscription(price: legacy, period: firstPeriod), shape: shape).serializedBytes
    }

    /// The schedule that moves the item to the meter price at the renewal (Stripe's migration guide).
    var migrationPlanned: [UInt8] {
        TestEvents.schedule(
            "subscription_schedule.updated", id: "evt_\(subscriptionID)_schedule", created: start + 3600, scheduleID: "sub_sched_\(subscriptionID)",
            subscriptionID: subscriptionID, status: "active",
            phases: [.init(start: start, end: start + Self.month, prices: [legacy]), .init(start: start + Self.month, end: nil, prices: [meter])],
            expandPrices: true, shape: shape
        ).serializedBytes
    }

    /// The renewal: the subscription moves to the second period on the meter price.
    var renewed: [UInt8] { renewal(to: meter) }

    /// The renewal into the second period, on `price` (the legacy price again when no migration was planned).
    func renewal(to price: TestPrice) -> [UInt8] {
        TestEvents.subscription(
            "customer.subscription.updated", id: "evt_\(subscriptionID)_renewed", created: start + Self.month,
            subscription(price: price, period: secondPeriod), previous: subscription(price: legacy, period: firstPeriod), shape: shape
        ).serializedBytes
    }

    /// A mid-cycle price change without a schedule: the item moves to the meter price at `at`, in the first period.
    func switchedMidCycle(at: Int64) -> [UInt8] {
        TestEvents.subscription(
            "customer.subscription.updated", id: "evt_\(subscriptionID)_switched", created: at,
            subscription(price: meter, period: firstPeriod), previous: subscription(price: legacy, period: firstPeriod), shape: shape
        ).serializedBytes
    }

    /// The customer cancels at the end of the first period.
    func cancelledAtPeriodEnd(at: Int64) -> [UInt8] {
        TestEvents.subscription(
            "customer.subscription.updated", id: "evt_\(subscriptionID)_cancel", created: at,
            subscription(price: legacy, period: firstPeriod, cancelAtPeriodEnd: true), previous: subscription(price: legacy, period: firstPeriod), shape: shape
        ).serializedBytes
    }

    /// The subscription ends at the end of the first period.
    var deleted: [UInt8] {
        var ended = subscription(price: legacy, period: firstPeriod, cancelAtPeriodEnd: true)
        ended.status = "canceled"
        ended.canceledAt = firstPeriod.end
        ended.endedAt = firstPeriod.end
        return TestEvents.subscription("customer.subscription.deleted", id: "evt_\(subscriptionID)_deleted", created: firstPeriod.end, ended, shape: shape)
            .serializedBytes
    }

    /// The draft invoice for the first period, and its finalization an hour later.
    func invoice(_ type: String, status: String, at created: Int64) -> [UInt8] {
        TestEvents.invoice(
            type, id: "evt_\(subscriptionID)_\(type)", created: created, invoiceID: "in_\(subscriptionID)_1",
            subscription: subscription(price: legacy, period: firstPeriod), period: firstPeriod, status: status,
            finalizedAt: status == "draft" ? nil : created, shape: shape
        ).serializedBytes
    }

    var invoiceCreated: [UInt8] { invoice("invoice.created", status: "draft", at: start + Self.month + 60) }
    var invoiceFinalized: [UInt8] { invoice("invoice.finalized", status: "open", at: start + Self.month + 3660) }
}
