import BillingCore
import StripeEventBuilders
import Testing

/// Late meter usage of an ended period goes to that period until its invoice is final, and the draft's
/// `automatically_finalizes_at` says when that is even before `invoice.finalized` arrives (docs/billing-rules.md,
/// "Invoices that close a period").
struct UsagePlannerDeadlineTests {
    static let start: Int64 = 1_762_000_000
    static let month: Int64 = 30 * 86_400
    static let first = BillingPeriod(start: start, end: start + month)
    static let second = BillingPeriod(start: start + month, end: start + 2 * month)
    static let route = MetricRoute(metric: "api_requests", productID: "prod_api", meterEventName: "api_requests", aggregation: .sum)
    static let deadline = first.end + 7200

    /// A meter subscription renewed into `second`, with the draft invoice of `first` (finalizing at `finalizesAt`).
    static func renewedState(finalizesAt: Int64?) throws -> SubscriptionState {
        var subscription = TestSubscription(id: "sub_1", customer: "cus_1", items: [TestItem(id: "si_1", price: .meter("price_meter"), period: first)])
        let created = TestEvents.subscription("customer.subscription.created", id: "evt_1", created: first.start, subscription, shape: .basil)
        let old = subscription
        subscription.items[0].period = second
        let renewed = TestEvents.subscription(
            "customer.subscription.updated", id: "evt_2", created: first.end + 2, subscription, previous: old, shape: .basil)
        var draft = TestEvents.invoice(
            "invoice.created", id: "evt_3", created: first.end + 3, invoiceID: "in_1", subscription: old, period: first, status: "draft",
            shape: .basil)
        draft = TestEvents.setting("automatically_finalizes_at", to: finalizesAt.map(JSONValue.int) ?? .null, inObjectOf: draft)
        var machine = BillingStateMachine(subscriptionID: "sub_1")
        for document in [created, renewed, draft] {
            let input = try #require(try BillingInput(event: StripeEvent(parsing: document.serializedBytes)))
            _ = machine.apply(input, now: first.end)
        }
        return machine.state
    }

    static let late = PendingUsage(sequence: 1, id: "late", customerID: "cus_1", metric: "api_requests", quantity: 5, timestamp: first.end - 30)

    @Test func lateMeterUsageBeforeTheDraftsAutomaticFinalizationBillsInItsPeriod() throws {
        let state = try Self.renewedState(finalizesAt: Self.deadline)
        let plan = UsagePlanner.plan([Self.late], route: Self.route, subscriptions: [state], now: Self.deadline - 1)
        let report = try #require(plan.reports.first)
        #expect(report.period == Self.first)
        #expect(!report.carried)
        #expect(report.timestamp == Self.late.timestamp)
    }

    @Test func lateMeterUsageAfterTheDraftsAutomaticFinalizationIsCarriedEvenBeforeInvoiceFinalizedArrives() throws {
        let state = try Self.renewedState(finalizesAt: Self.deadline)
        let now = Self.deadline + 60
        let plan = UsagePlanner.plan([Self.late], route: Self.route, subscriptions: [state], now: now)
        let report = try #require(plan.reports.first)
        #expect(report.period == Self.second, "Stripe finalized the invoice at its automatically_finalizes_at: the usage would not bill there")
        #expect(report.carried)
        #expect(report.timestamp == now)
    }

    @Test func withoutAScheduledFinalizationLateMeterUsageWaitsForTheFinalizedInvoice() throws {
        let state = try Self.renewedState(finalizesAt: nil)
        let plan = UsagePlanner.plan([Self.late], route: Self.route, subscriptions: [state], now: Self.deadline + 60)
        #expect(plan.reports.first?.period == Self.first)
        #expect(plan.reports.first?.carried == false)
    }
}
