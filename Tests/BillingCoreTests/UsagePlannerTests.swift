import BillingCore
import StripeEventBuilders
import Testing

/// Where pending usage goes, and in how many calls (docs/billing-rules.md, "Routing usage" and "Reporting, keys and retries").
struct UsagePlannerTests {
    static let start: Int64 = 1_762_000_000
    static let month: Int64 = 30 * 86_400
    static let period = BillingPeriod(start: start, end: start + month)
    static let sumRoute = MetricRoute(metric: "api_requests", productID: "prod_api", meterEventName: "api_requests", aggregation: .sum)

    /// A subscription state built by the real machine from a `customer.subscription.created` on `price`.
    static func state(price: TestPrice, period: BillingPeriod = period, id: String = "sub_1") throws -> SubscriptionState {
        let subscription = TestSubscription(id: id, customer: "cus_1", items: [TestItem(id: "si_\(id)", price: price, period: period)])
        let document = TestEvents.subscription("customer.subscription.created", id: "evt_\(id)", created: period.start, subscription, shape: .basil)
        var machine = BillingStateMachine(subscriptionID: id)
        let input = try #require(try BillingInput(event: StripeEvent(parsing: document.serializedBytes)))
        _ = machine.apply(input, now: period.start)
        return machine.state
    }

    static func usage(_ id: String, _ quantity: Int64, at timestamp: Int64, sequence: Int64 = 0) -> PendingUsage {
        PendingUsage(sequence: sequence, id: id, customerID: "cus_1", metric: "api_requests", quantity: quantity, timestamp: timestamp)
    }

    @Test func legacyUsageInTheCurrentPeriodIsOneIncrementWhateverTheVolume() throws {
        let state = try Self.state(price: .legacy("price_legacy", product: "prod_api"))
        let now = Self.start + 10 * 86_400
        let pending = (0..<100_000).map { Self.usage("u\($0)", 1, at: Self.start + Int64($0 % 86_400)) }
        let plan = UsagePlanner.plan(pending, route: Self.sumRoute, subscriptions: [state], now: now)
        #expect(plan.held.isEmpty)
        #expect(plan.reports.count == 1)
        let report = try #require(plan.reports.first)
        #expect(report.channel == .usageRecord(subscriptionID: "sub_1", itemID: "si_sub_1", action: .increment))
        #expect(report.quantity == 100_000)
        #expect(report.timestamp == Self.start + 86_399)
        #expect(report.period == Self.period)
        #expect(!report.carried)
        #expect(report.recordIDs.count == 100_000)
    }

    @Test func legacyUsageFromAnEndedPeriodIsCarriedIntoTheCurrentOneAtNow() throws {
        let previous = BillingPeriod(start: Self.start - Self.month, end: Self.start)
        let state = try Self.state(price: .legacy("price_legacy", product: "prod_api"))
        let now = Self.start + 3600
        let plan = UsagePlanner.plan(
            [Self.usage("late", 7, at: previous.end - 60), Self.usage("now", 3, at: Self.start + 60)], route: Self.sumRoute, subscriptions: [state], now: now
        )
        #expect(plan.reports.count == 2)
        let carried = try #require(plan.reports.first { $0.carried })
        #expect(carried.quantity == 7)
        #expect(carried.timestamp == now, "Stripe refuses back-dated usage records: carried usage is sent at now")
        #expect(carried.recordIDs == ["late"])
        #expect(plan.reports.first { !$0.carried }?.quantity == 3)
    }

    @Test func meterUsageGoesOutAsOneMeterEventPerPeriodWithItsOwnTimestamp() throws {
        let state = try Self.state(price: .meter("price_meter", product: "prod_api", meter: "mtr_1"))
        let now = Self.start + 86_400
        let plan = UsagePlanner.plan([Self.usage("a", 2, at: Self.start + 10), Self.usage("b", 5, at: Self.start + 20)], route: Self.sumRoute, subscriptions: [state], now: now)
        #expect(plan.reports.map(\.channel) == [.meterEvent(eventName: "api_requests")])
        #expect(plan.reports.first?.quantity == 7)
        #expect(plan.reports.first?.timestamp == Self.start + 20)
    }

    @Test func meterUsageOfAProductNoSubscriptionHasYetWaitsOutTheGrace() throws {
        let now = Self.start + 3600
        let pending = [Self.usage("old", 4, at: now - 400), Self.usage("young", 6, at: now - 100)]
        // Nothing known of the customer: only usage older than the grace goes out, by customer, to the meter.
        let waiting = UsagePlanner.plan(pending, route: Self.sumRoute, subscriptions: [], now: now, subscriptionGrace: 300)
        #expect(waiting.reports.map(\.recordIDs) == [["old"]])
        #expect(waiting.reports.first?.channel == .meterEvent(eventName: "api_requests"))
        #expect(waiting.held == ["young"])
        // Once the subscription is known, all of it goes to its item, young or not.
        let state = try Self.state(price: .legacy("price_legacy", product: "prod_api"))
        let arrived = UsagePlanner.plan(pending, route: Self.sumRoute, subscriptions: [state], now: now, subscriptionGrace: 300)
        #expect(arrived.held.isEmpty)
        #expect(arrived.reports.map(\.channel) == [.usageRecord(subscriptionID: "sub_1", itemID: "si_sub_1", action: .increment)])
        #expect(arrived.reports.first?.quantity == 10)
    }

    @Test func withoutASubscriptionMeterMetricsStillReportAndLegacyOnlyMetricsWait() {
        let now = Self.start
        let pending = [Self.usage("a", 4, at: now - 100), Self.usage("b", 6, at: now - 50)]
        let meter = UsagePlanner.plan(pending, route: Self.sumRoute, subscriptions: [], now: now)
        #expect(meter.reports.count == 1)
        #expect(meter.reports.first?.channel == .meterEvent(eventName: "api_requests"))
        #expect(meter.reports.first?.quantity == 10)
        #expect(meter.reports.first?.period == nil)
        var legacyOnly = Self.sumRoute
        legacyOnly.meterEventName = nil
        let held = UsagePlanner.plan(pending, route: legacyOnly, subscriptions: [], now: now)
        #expect(held.reports.isEmpty)
        #expect(Set(held.held) == ["a", "b"])
    }

    @Test func aLastMetricSendsTheLatestValueAsASet() throws {
        let state = try Self.state(price: .legacy("price_seats", product: "prod_api", aggregateUsage: "last_during_period"))
        var route = Self.sumRoute
        route.aggregation = .last
        let plan = UsagePlanner.plan(
            [Self.usage("a", 9, at: Self.start + 10), Self.usage("b", 4, at: Self.start + 30), Self.usage("c", 6, at: Self.start + 20)],
            route: route, subscriptions: [state], now: Self.start + 100
        )
        #expect(plan.reports.first?.quantity == 4)
        #expect(plan.reports.first?.timestamp == Self.start + 30)
        if case .usageRecord(_, _, let action) = plan.reports.first?.channel { #expect(action == .set) } else { Issue.record("not a usage record") }
    }

    /// Of two values at the same second, the one stored last is the latest, whatever the ids' order.
    @Test func aLastMetricsTieAtOneSecondGoesToTheValueStoredLast() throws {
        let state = try Self.state(price: .legacy("price_seats", product: "prod_api", aggregateUsage: "last_during_period"))
        var route = Self.sumRoute
        route.aggregation = .last
        let plan = UsagePlanner.plan(
            [Self.usage("z-first", 9, at: Self.start + 10, sequence: 1), Self.usage("a-second", 4, at: Self.start + 10, sequence: 2)],
            route: route, subscriptions: [state], now: Self.start + 100
        )
        #expect(plan.reports.map(\.quantity) == [4])
    }

    @Test func usageFromTheFutureAndUsageBetweenABoundaryAndTheRenewalWait() throws {
        let state = try Self.state(price: .legacy("price_legacy", product: "prod_api"))
        let future = UsagePlanner.plan([Self.usage("f", 1, at: Self.start + 500)], route: Self.sumRoute, subscriptions: [state], now: Self.start + 100)
        #expect(future.held == ["f"])
        // The period has ended and no renewal opened the next one yet: legacy usage has nowhere to go, so it waits.
        let gap = UsagePlanner.plan([Self.usage("g", 1, at: Self.period.end - 5)], route: Self.sumRoute, subscriptions: [state], now: Self.period.end + 5)
        #expect(gap.reports.isEmpty)
        #expect(gap.held == ["g"])
    }

    @Test func anotherProductsItemIsNotATarget() throws {
        let state = try Self.state(price: .legacy("price_other", product: "prod_other"))
        var legacyOnly = Self.sumRoute
        legacyOnly.meterEventName = nil
        let plan = UsagePlanner.plan([Self.usage("a", 1, at: Self.start + 10)], route: legacyOnly, subscriptions: [state], now: Self.start + 20)
        #expect(plan.held == ["a"])
    }
}
