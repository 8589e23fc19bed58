import BillingCore
import StripeEventBuilders
import Testing

/// Usage is routed and billed by the subscription's status as Stripe bills each (docs/billing-rules.md,
/// "Subscription statuses").
struct SubscriptionStatusUsageTests {
    static let start: Int64 = 1_762_000_000
    static let month: Int64 = 30 * 86_400
    static let first = BillingPeriod(start: start, end: start + month)
    static let sum = MetricRoute(metric: "api_requests", productID: "prod_api", meterEventName: "api_requests", aggregation: .sum)
    static let legacyOnly = MetricRoute(metric: "api_requests", productID: "prod_api", meterEventName: nil, aggregation: .sum)

    /// The state after the subscription events `steps` (status and item period per step), built by the real machine.
    static func state(price: TestPrice, _ steps: [(status: String, period: BillingPeriod)]) throws -> SubscriptionState {
        var machine = BillingStateMachine(subscriptionID: "sub_1")
        var previous: TestSubscription?
        for (index, step) in steps.enumerated() {
            var subscription = TestSubscription(id: "sub_1", customer: "cus_1", status: step.status, items: [TestItem(id: "si_1", price: price, period: step.period)])
            if step.status == "incomplete_expired" || step.status == "canceled" { subscription.endedAt = step.period.start + 86_400 }
            let type = index == 0 ? "customer.subscription.created" : "customer.subscription.updated"
            let document = TestEvents.subscription(
                type, id: "evt_\(index)", created: step.period.start + Int64(index) * 3600, subscription, previous: previous, shape: .basil)
            let input = try #require(try BillingInput(event: StripeEvent(parsing: document.serializedBytes)))
            _ = machine.apply(input, now: 0)
            previous = subscription
        }
        return machine.state
    }

    static func usage(_ id: String, _ quantity: Int64, at timestamp: Int64) -> PendingUsage {
        PendingUsage(sequence: 0, id: id, customerID: "cus_1", metric: "api_requests", quantity: quantity, timestamp: timestamp)
    }

    @Test(arguments: ["trialing", "active", "past_due", "unpaid"], [TestPrice.legacy("price_legacy"), .meter("price_meter")])
    func usageOfATrialingPastDueOrUnpaidSubscriptionIsReportedToItsItem(status: String, price: TestPrice) throws {
        let state = try Self.state(price: price, [(status, Self.first)])
        let now = Self.start + 86_400
        let plan = UsagePlanner.plan([Self.usage("u", 4, at: now - 60)], route: Self.sum, subscriptions: [state], now: now)
        #expect(plan.held.isEmpty)
        let report = try #require(plan.reports.first)
        #expect(report.period == Self.first)
        #expect(!report.carried)
        #expect(report.quantity == 4)
    }

    @Test(arguments: [TestPrice.legacy("price_legacy"), .meter("price_meter")])
    func pausedSubscriptionUsageWaitsThenIsCarriedIntoThePeriodTheResumeStarts(price: TestPrice) throws {
        // The trial ends without a payment method: paused (https://docs.stripe.com/billing/subscriptions/trials).
        let pausedAt = Self.start + 14 * 86_400
        let paused = try Self.state(price: price, [("trialing", Self.first), ("paused", BillingPeriod(start: pausedAt, end: pausedAt + Self.month))])
        let usage = [Self.usage("during-pause", 6, at: pausedAt + 3600)]
        let whilePaused = UsagePlanner.plan(usage, route: Self.sum, subscriptions: [paused], now: pausedAt + 7200)
        #expect(whilePaused.reports.isEmpty, "a paused subscription generates no invoice: nothing is reported to it")
        #expect(whilePaused.held == ["during-pause"])

        // Resumed with a new billing cycle: the usage goes into the new period, carried (records there must be current).
        let resumedAt = pausedAt + 5 * 86_400
        let resumed = try Self.state(price: price, [
            ("trialing", Self.first), ("paused", BillingPeriod(start: pausedAt, end: pausedAt + Self.month)),
            ("active", BillingPeriod(start: resumedAt, end: resumedAt + Self.month)),
        ])
        let after = UsagePlanner.plan(usage, route: Self.sum, subscriptions: [resumed], now: resumedAt + 60)
        #expect(after.held.isEmpty)
        let report = try #require(after.reports.first)
        // Legacy records must lie in the current period; a meter's paused period is never invoiced.
        #expect(report.period == BillingPeriod(start: resumedAt, end: resumedAt + Self.month))
        #expect(report.carried)
        #expect(report.quantity == 6)
    }

    @Test func incompleteSubscriptionUsageWaitsAndGoesToThePeriodOnceTheFirstInvoiceIsPaid() throws {
        let incomplete = try Self.state(price: .legacy("price_legacy"), [("incomplete", Self.first)])
        let usage = [Self.usage("early", 2, at: Self.start + 600)]
        let waiting = UsagePlanner.plan(usage, route: Self.sum, subscriptions: [incomplete], now: Self.start + 1200)
        #expect(waiting.reports.isEmpty)
        #expect(waiting.held == ["early"])

        let active = try Self.state(price: .legacy("price_legacy"), [("incomplete", Self.first), ("active", Self.first)])
        let paid = UsagePlanner.plan(usage, route: Self.sum, subscriptions: [active], now: Self.start + 7200)
        let report = try #require(paid.reports.first)
        #expect(report.period == Self.first)
        #expect(!report.carried, "the first period goes on: the usage is billed where it happened")
        #expect(report.timestamp == Self.start + 600)
    }

    @Test(arguments: ["incomplete_expired", "canceled"])
    func anIncompleteExpiredSubscriptionHasEndedLikeACanceledOne(status: String) throws {
        let ended = try Self.state(price: .legacy("price_legacy"), [("incomplete", Self.first), (status, Self.first)])
        #expect(ended.hasEnded)
        #expect(ended.timers.isEmpty, "no boundary of an ended subscription is prepared")
        let now = Self.start + 3 * 86_400
        let plan = UsagePlanner.plan([Self.usage("after", 1, at: now - 60)], route: Self.legacyOnly, subscriptions: [ended], now: now)
        #expect(plan.reports.isEmpty, "nothing more goes to the items of an ended subscription")
        #expect(plan.held == ["after"])
    }
}
