import BillingCore
import StripeEventBuilders

/// The demo subscription's life as signed-ready Stripe event documents: created on a legacy metered price, a schedule
/// that moves it to a meter price at the first renewal (Stripe's migration guide), the renewal, invoices, cancellation
/// at the end of the second period and deletion.
public struct DemoStory: Sendable {
    /// 2026-01-01 00:00:00Z: calendar months read better in a timeline than 30-day blocks.
    public static let defaultStart: Int64 = 1_767_225_600

    public let shape: APIShape
    public let customerID = "cus_demo"
    public let subscriptionID = "sub_demo"
    public let itemID = "si_demo_api"
    public let scheduleID = "sub_sched_demo"
    public let metric = "api_requests"
    public let product = "prod_api"
    public let meterID = "mtr_api"
    public let legacy: TestPrice
    public let meter: TestPrice
    /// The periods the demo runs through: January (legacy) and February (meter), 2026.
    public let periods: [BillingPeriod]

    public init(shape: APIShape = .basil, start: Int64 = DemoStory.defaultStart) {
        self.shape = shape
        legacy = .legacy("price_legacy", product: product)
        meter = .meter("price_meter", product: product, meter: meterID)
        // January has 31 days, February 2026 has 28.
        let february = start + 31 * 86_400
        periods = [BillingPeriod(start: start, end: february), BillingPeriod(start: february, end: february + 28 * 86_400)]
    }

    /// The subscription on `price` in `period`.
    public func subscription(price: TestPrice, period: BillingPeriod, cancelAtPeriodEnd: Bool = false) -> TestSubscription {
        TestSubscription(
            id: subscriptionID, customer: customerID, items: [TestItem(id: itemID, price: price, period: period)],
            cancelAtPeriodEnd: cancelAtPeriodEnd, schedule: scheduleID
        )
    }

    /// Subscribed on the legacy price at the start of the first period.
    public var created: [UInt8] {
        TestEvents.subscription(
            "customer.subscription.created", id: "evt_demo_created", created: periods[0].start,
            subscription(price: legacy, period: periods[0]), shape: shape
        ).serializedBytes
    }

    /// The schedule that swaps the legacy price for the meter price when the second period starts.
    public func migrationPlanned(at created: Int64) -> [UInt8] {
        TestEvents.schedule(
            "subscription_schedule.updated", id: "evt_demo_schedule", created: created, scheduleID: scheduleID,
            subscriptionID: subscriptionID, status: "active",
            phases: [
                .init(start: periods[0].start, end: periods[0].end, prices: [legacy]), .init(start: periods[1].start, end: nil, prices: [meter]),
            ],
            expandPrices: true, shape: shape
        ).serializedBytes
    }

    /// The renewal: Stripe moves the subscription into the second period, on the meter price.
    public func renewed(at created: Int64) -> [UInt8] {
        TestEvents.subscription(
            "customer.subscription.updated", id: "evt_demo_renewed", created: created,
            subscription(price: meter, period: periods[1]), previous: subscription(price: legacy, period: periods[0]), shape: shape
        ).serializedBytes
    }

    /// The customer asks to cancel at the end of the second period.
    public func cancelledAtPeriodEnd(at created: Int64) -> [UInt8] {
        TestEvents.subscription(
            "customer.subscription.updated", id: "evt_demo_cancel", created: created,
            subscription(price: meter, period: periods[1], cancelAtPeriodEnd: true), previous: subscription(price: meter, period: periods[1]),
            shape: shape
        ).serializedBytes
    }

    /// The subscription ends with the second period.
    public func deleted(at created: Int64) -> [UInt8] {
        var ended = subscription(price: meter, period: periods[1], cancelAtPeriodEnd: true)
        ended.status = "canceled"
        ended.canceledAt = periods[1].end
        ended.endedAt = periods[1].end
        return TestEvents.subscription("customer.subscription.deleted", id: "evt_demo_deleted", created: created, ended, shape: shape).serializedBytes
    }

    /// The renewal invoice of period `index` (0-based): `invoice.created` (draft) or `invoice.finalized` (open).
    public func invoice(_ type: String, period index: Int, at created: Int64) -> [UInt8] {
        let draft = type == "invoice.created"
        let price = index == 0 ? legacy : meter
        return TestEvents.invoice(
            type, id: "evt_demo_\(type)_\(index + 1)", created: created, invoiceID: invoiceID(period: index),
            subscription: subscription(price: price, period: periods[index]), period: periods[index], status: draft ? "draft" : "open",
            finalizedAt: draft ? nil : created, shape: shape
        ).serializedBytes
    }

    /// The id of the invoice that bills period `index`.
    public func invoiceID(period index: Int) -> String { "in_demo_\(index + 1)" }

    /// The meter price as the Stripe double stores it, for `changePrice` at the phase start.
    public var meterPrice: Price {
        Price(
            id: meter.id, productID: product, type: "recurring",
            recurring: PriceRecurring(interval: "month", intervalCount: 1, usageType: .metered, meterID: meterID)
        )
    }

    /// The 1-based number of the period containing `timestamp`, nil when outside the demo.
    public func periodNumber(containing timestamp: Int64) -> Int? {
        periods.firstIndex { $0.contains(timestamp) }.map { $0 + 1 }
    }
}
