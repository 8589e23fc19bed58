import BillingCore
import Testing

/// The hand-built basil payloads (Fixtures/handbuilt/README.md): a renewal invoice, subscription
/// created/deleted, and a schedule phase transition from a legacy metered price to a meter price.
struct HandbuiltBasilDecodingTests {
    static let apr: Int64 = 1_743_465_600, may: Int64 = 1_746_057_600, jun: Int64 = 1_748_736_000, jul: Int64 = 1_751_328_000
    static let subscriptionID = "sub_1RDyHkLz3pQ8vWmNa2Hb7cUe"
    static let meterID = "mtr_61SZrsQbGuWDF1Mbe41Lz3pQ8vWmNy5E"

    func decode(_ name: String) throws -> (StripeEvent, EventObject) {
        let event = try FixtureLoader.event("handbuilt/" + name + ".handbuilt.2025-03-31.basil.json")
        #expect(event.apiVersion == "2025-03-31.basil")
        return (event, try event.decodeObject())
    }

    @Test func renewalInvoiceCreated() throws {
        guard case (let event, .invoice(let invoice)) = try decode("invoice.created") else {
            Issue.record("not an invoice")
            return
        }
        #expect(event.envelope.subscriptionID == Self.subscriptionID)
        #expect(invoice.billingReason == .subscriptionCycle)
        #expect(invoice.status == .draft)
        #expect(invoice.subscriptionID == Self.subscriptionID)
        #expect(invoice.period == BillingPeriod(start: Self.may, end: Self.jun))
        try #require(invoice.lines.count == 2)
        let base = invoice.lines[0], usage = invoice.lines[1]
        #expect(base.subscriptionItemID == "si_S8EtBase0001aa")
        #expect(base.priceID == "price_1RDyEfLz3pQ8vWmNbAsE4900")
        #expect(base.period == BillingPeriod(start: Self.jun, end: Self.jul))
        #expect(usage.subscriptionItemID == "si_S8EtLegacyApi1")
        #expect(usage.subscriptionID == Self.subscriptionID)
        #expect(usage.priceID == "price_1RDyFqLz3pQ8vWmNLegacyAR")
        #expect(usage.period == BillingPeriod(start: Self.may, end: Self.jun))
        #expect(usage.quantity == 12_350)
    }

    @Test func subscriptionCreatedHasOnlyItemPeriods() throws {
        guard case (_, .subscription(let subscription)) = try decode("customer.subscription.created") else {
            Issue.record("not a subscription")
            return
        }
        #expect(subscription.currentPeriod == nil)
        try #require(subscription.items.map(\.id) == ["si_S8EtBase0001aa", "si_S8EtLegacyApi1"])
        for item in subscription.items {
            #expect(subscription.period(for: item) == BillingPeriod(start: Self.apr, end: Self.may))
        }
        let base = subscription.items[0].price, legacy = subscription.items[1].price
        #expect(base.reportingMode == ReportingMode.none)
        #expect(base.productID == "prod_S8EqBaseP1aN01")
        // basil renders a legacy metered price without aggregate_usage: Stripe's default, sum.
        #expect(legacy.reportingMode == .legacy)
        #expect(legacy.recurring?.aggregateUsage == nil)
        #expect(legacy.legacyUsageAction == .increment)
        #expect(subscription.metadata == ["tenant": "acme-eu-1"])
    }

    @Test func subscriptionDeletedAtPeriodEnd() throws {
        guard case (_, .subscription(let subscription)) = try decode("customer.subscription.deleted") else {
            Issue.record("not a subscription")
            return
        }
        #expect(subscription.status == .canceled)
        #expect(subscription.cancelAtPeriodEnd)
        #expect(subscription.cancelAt == Self.jul)
        #expect(subscription.endedAt == Self.jul)
        #expect(subscription.currentPeriod == nil)
        #expect(subscription.items.allSatisfy { subscription.period(for: $0) == BillingPeriod(start: Self.jun, end: Self.jul) })
    }

    @Test func scheduleSwapsLegacyPriceForMeterPrice() throws {
        guard case (let event, .subscriptionSchedule(let schedule)) = try decode("subscription_schedule.updated") else {
            Issue.record("not a schedule")
            return
        }
        #expect(event.envelope.subscriptionID == Self.subscriptionID)
        #expect(schedule.currentPhase == BillingPeriod(start: Self.jun, end: Self.jul))
        #expect(event.previousAttributes?["current_phase"]?["start_date"] == .int(Self.may))
        try #require(schedule.phases.map(\.startDate) == [Self.may, Self.jun])
        try #require(schedule.phases.map(\.items.count) == [2, 2])
        #expect(schedule.endBehavior == .release)
        let (before, after) = (schedule.phases[0], schedule.phases[1])
        #expect(before.items[0] == SchedulePhaseItem(priceID: "price_1RDyEfLz3pQ8vWmNbAsE4900", quantity: 1))
        let legacy = try #require(before.items[1].price)
        #expect(legacy.reportingMode == .legacy)
        #expect(legacy.recurring?.aggregateUsage == .sum)
        #expect(legacy.legacyUsageAction == .increment)
        let meter = try #require(after.items[1].price)
        #expect(after.items[1].priceID == "price_1RHmzXLz3pQ8vWmNMeterAR")
        #expect(meter.reportingMode == .meter)
        #expect(meter.recurring?.meterID == Self.meterID)
        #expect(meter.legacyUsageAction == nil)
        #expect(legacy.productID == meter.productID)
    }

    @Test func subscriptionUpdatedAtTheTransitionMovesTheItemToTheMeter() throws {
        guard case (let event, .subscription(let subscription)) = try decode("customer.subscription.updated") else {
            Issue.record("not a subscription")
            return
        }
        #expect(subscription.scheduleID == "sub_sched_1RHn2aLz3pQ8vWmNkT5gXo0c")
        let meterItem = try #require(subscription.item(id: "si_SPqMeterApi001"))
        #expect(meterItem.price.reportingMode == .meter)
        #expect(subscription.period(for: meterItem) == BillingPeriod(start: Self.jun, end: Self.jul))
        #expect(subscription.item(id: "si_S8EtLegacyApi1") == nil)
        let oldLegacy = try SubscriptionItem(#require(event.previousAttributes?["items"]?["data"]?[1]), eventID: event.id)
        #expect(oldLegacy.id == "si_S8EtLegacyApi1")
        #expect(oldLegacy.price.reportingMode == .legacy)
        #expect(oldLegacy.currentPeriod == BillingPeriod(start: Self.may, end: Self.jun))
    }
}
