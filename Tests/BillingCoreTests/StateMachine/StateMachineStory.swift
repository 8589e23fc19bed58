import BillingCore
import StripeEventBuilders

/// A subscription's life as Stripe reports it, event by event, in one API shape: the scenario
/// tests and the property test's generator write events through it.
struct Story {
    static let subscriptionID = "sub_test"
    static let day: Int64 = 86_400
    static let month: Int64 = 30 * day
    /// 2025-04-01T00:00:00Z.
    static let start: Int64 = 1_743_465_600

    static let base = TestPrice.licensed("price_base")
    static let legacy = TestPrice.legacy("price_legacy")
    static let legacyB = TestPrice.legacy("price_legacy_b", aggregateUsage: "last_during_period")
    static let meter = TestPrice.meter("price_meter")
    static let meterB = TestPrice.meter("price_meter_b")

    let shape: APIShape
    var subscription: TestSubscription
    private(set) var documents: [JSONValue] = []
    /// A short label per document, for failure messages.
    private(set) var labels: [String] = []
    private var counter = 0

    /// A subscription with a licensed base item and a usage item on `usage`, first period at `start`.
    init(shape: APIShape, usage: TestPrice = Story.legacy, start: Int64 = Story.start) {
        self.shape = shape
        let period = BillingPeriod(start: start, end: start + Self.month)
        self.subscription = TestSubscription(items: [
            TestItem(id: "si_base", price: Self.base, period: period),
            TestItem(id: "si_usage", price: usage, period: period),
        ])
    }

    /// The current period (of the first item).
    var period: BillingPeriod { subscription.period }

    mutating func nextEventID() -> String {
        counter += 1
        return "evt_\(shape)_\(String(counter).leftPadded(to: 3))"
    }

    mutating func append(_ document: JSONValue, _ label: String) {
        documents.append(document)
        labels.append(label)
    }

    mutating func created(at time: Int64) {
        let id = nextEventID()
        append(TestEvents.subscription(EventType.subscriptionCreated, id: id, created: time, subscription, shape: shape), "created@\(time)")
    }

    /// An update of the subscription (or `type`: paused, resumed, deleted, …) at `time`.
    mutating func update(_ type: String = EventType.subscriptionUpdated, at time: Int64, _ change: (inout TestSubscription) -> Void) {
        let old = subscription
        change(&subscription)
        let id = nextEventID()
        append(
            TestEvents.subscription(type, id: id, created: time, subscription, previous: old, shape: shape),
            "\(type.split(separator: ".").last!)@\(time)"
        )
    }

    /// Rolls every item into the next period at the current period's end, with `change` applied
    /// (a schedule phase swapping prices), reported at `boundary + delay`.
    mutating func renew(delay: Int64 = 2, _ change: (inout TestSubscription) -> Void = { _ in }) {
        let ended = period
        let next = BillingPeriod(start: ended.end, end: ended.end + Self.month)
        update(at: ended.end + delay) { subscription in
            for index in subscription.items.indices { subscription.items[index].period = next }
            change(&subscription)
        }
    }

    /// A renewal invoice event for `period` (`invoice.created` is a draft, the others are final).
    mutating func invoice(_ type: String, for period: BillingPeriod, at time: Int64, billingReason: String = "subscription_cycle") {
        let status: String
        switch type {
        case EventType.invoiceCreated: status = "draft"
        case EventType.invoicePaid: status = "paid"
        case EventType.invoiceVoided: status = "void"
        case EventType.invoiceMarkedUncollectible: status = "uncollectible"
        default: status = "open"
        }
        let id = nextEventID()
        let finalizedAt = status == "draft" ? nil : period.end + 3600
        let invoiceID = type == EventType.invoiceUpcoming ? nil : "in_\(period.end)"
        append(
            TestEvents.invoice(
                type, id: id, created: time, invoiceID: invoiceID, subscription: subscription, period: period,
                status: type == EventType.invoiceUpcoming ? "draft" : status, billingReason: billingReason, finalizedAt: finalizedAt, shape: shape
            ),
            "\(type)@\(time)"
        )
    }

    /// The full renewal timeline of the current period: subscription update, draft invoice, and an
    /// hour later finalization (docs/billing-rules.md, "Renewal timeline and the finalization grace").
    mutating func renewalTimeline(updateDelay: Int64 = 2, invoiceDelay: Int64 = 3, _ change: (inout TestSubscription) -> Void = { _ in }) {
        let ended = period
        renew(delay: updateDelay, change)
        invoice(EventType.invoiceCreated, for: ended, at: ended.end + invoiceDelay)
        invoice(EventType.invoiceFinalized, for: ended, at: ended.end + 3600 + invoiceDelay)
    }

    /// A schedule event with two phases: the current one (`from` prices) and the next from
    /// `switchAt` on (`to` prices).
    mutating func schedule(
        _ type: String, at time: Int64, switchAt: Int64, from: [TestPrice], to: [TestPrice], status: String = "active",
        expandPrices: Bool = true, scheduleID: String = "sub_sched_test"
    ) {
        let phases = [
            TestEvents.Phase(start: switchAt - Self.month, end: switchAt, prices: from),
            TestEvents.Phase(start: switchAt, end: switchAt + Self.month, prices: to),
        ]
        let id = nextEventID()
        append(
            TestEvents.schedule(
                type, id: id, created: time, scheduleID: scheduleID, subscriptionID: subscription.id, status: status, phases: phases,
                expandPrices: expandPrices, shape: shape
            ),
            "\(type)@\(time)"
        )
    }

    mutating func meterError(at time: Int64, meter: String = "mtr_api") {
        append(TestEvents.meterErrorReport(id: nextEventID(), created: time, meter: meter), "meter_error@\(time)")
    }

    /// Delivers the document at `index` a second time.
    mutating func duplicate(_ index: Int) {
        documents.append(documents[index])
        labels.append(labels[index] + "(dup)")
    }

    /// The documents decoded into state machine inputs (through the real parser and decoder).
    func inputs() throws -> [BillingInput] {
        try documents.map(TestEvents.input)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
