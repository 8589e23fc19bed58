import BillingCore
import BillingStore
import MeterBridge
import StripeAPI
import StripeDouble
import StripeEventBuilders
import Testing

/// The runtime (processor, reporter, SQLite store) against the Stripe double on the rules of issue 19 that the
/// machine decides: the billing mode, invoices that close a period, subscription statuses (docs/billing-rules.md).
struct StripeRulesReportingTests {
    /// A subscription event of the story's subscription on `price` in `period`, with `change` applied.
    static func event(
        _ type: String, _ id: String, at created: Int64, _ world: ReportingWorld, price: TestPrice, period: BillingPeriod,
        previous: TestSubscription? = nil, _ change: (inout TestSubscription) -> Void = { _ in }
    ) -> (bytes: [UInt8], subscription: TestSubscription) {
        var subscription = world.story.subscription(price: price, period: period)
        change(&subscription)
        let document = TestEvents.subscription(type, id: id, created: created, subscription, previous: previous, shape: world.story.shape)
        return (document.serializedBytes, subscription)
    }

    var item: String { "si_sub_story_api" }

    @Test func aFlexibleSubscriptionsMidCycleSwitchIsNotReReported() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let created = Self.event("customer.subscription.created", "evt_flex_created", at: story.start, world, price: story.legacy,
                                     period: story.firstPeriod) { $0.billingMode = "flexible" }
            try await world.deliver(created.bytes)
            try await world.record(30, at: story.start + 100)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == 30)

            let switchAt = story.start + 86_400
            world.at(switchAt)
            try world.stripe.changePrice(item: item, to: UsageReportingTests.meterPrice)
            let switched = Self.event("customer.subscription.updated", "evt_flex_switched", at: switchAt - 60, world, price: story.meter,
                                      period: story.firstPeriod, previous: created.subscription) { $0.billingMode = "flexible" }
            try await world.deliver(switched.bytes)
            try await world.record(8, at: switchAt - 10)
            try await world.flush()

            // Stripe invoices the 30 reported before the switch itself in flexible mode: sending it again would bill it twice.
            let reports = try await world.harness.database.reports(customerID: ReportingWorld.customer)
            #expect(reports.filter { $0.purpose == .rereport }.isEmpty)
            #expect(world.stripe.meterEvents().map(\.value) == [8])
            let view = try await EventProcessorTests.subscription(story.subscriptionID, world.client, token: ReportingWorld.token)
            #expect(view.billingMode == "flexible")
            #expect(view.items.first?.mode == "meter")
        }
    }

    @Test func lateMeterUsageAfterTheDraftsAutomaticFinalizationIsCarriedIntoTheCurrentPeriod() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let ended = story.firstPeriod
            let created = Self.event("customer.subscription.created", "evt_meter_created", at: story.start, world, price: story.meter, period: ended)
            try await world.deliver(created.bytes)
            world.at(ended.end + 2)
            let renewed = Self.event("customer.subscription.updated", "evt_meter_renewed", at: ended.end + 2, world, price: story.meter,
                                     period: story.secondPeriod, previous: created.subscription)
            var draft = TestEvents.invoice(
                "invoice.created", id: "evt_meter_draft", created: ended.end + 3, invoiceID: "in_story_1", subscription: created.subscription,
                period: ended, status: "draft", shape: story.shape)
            draft = TestEvents.setting("automatically_finalizes_at", to: .int(ended.end + 3600), inObjectOf: draft)
            try await world.deliver(renewed.bytes, draft.serializedBytes)

            // Before the deadline, late usage of the ended period still bills in it.
            world.at(ended.end + 1800)
            try await world.record(4, at: ended.end - 60)
            try await world.flush()
            #expect(world.meterBilled(ended) == 4)

            // After it, Stripe has finalized the invoice (even though invoice.finalized has not arrived): carried.
            world.at(ended.end + 3600 + 60)
            try await world.record(7, at: ended.end - 30)
            try await world.flush()
            #expect(world.meterBilled(ended) == 4)
            #expect(world.meterBilled(story.secondPeriod) == 7)
            let carried = try await world.harness.database.reports(customerID: ReportingWorld.customer).filter(\.carried)
            #expect(carried.map(\.quantity) == [7])
        }
    }

    @Test func aPausedSubscriptionsLegacyUsageWaitsAndIsCarriedIntoTheResumedPeriod() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let created = Self.event("customer.subscription.created", "evt_pause_created", at: story.start, world, price: story.legacy,
                                     period: story.firstPeriod)
            try await world.deliver(created.bytes)
            try await world.record(4, at: story.start + 100)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == 4)

            // Paused mid-period (https://docs.stripe.com/api/subscriptions/pause): the snapshot still lists the period.
            let pausedAt = story.start + 10 * 86_400
            world.at(pausedAt)
            let paused = Self.event("customer.subscription.paused", "evt_pause_paused", at: pausedAt, world, price: story.legacy,
                                    period: story.firstPeriod, previous: created.subscription) { $0.status = "paused" }
            try await world.deliver(paused.bytes)
            try await world.record(6, at: pausedAt + 100)
            world.at(pausedAt + 600)
            try await world.flush()
            // A paused subscription generates no invoices: nothing is sent to it (and so nothing is refused).
            #expect(world.legacyBilled(story.firstPeriod) == 4)
            #expect(try await world.harness.database.reportCounts()[.dead] == 0)

            // A paused subscription does not advance to new periods; resumed after the period's end, with a new cycle from now.
            let resumedAt = story.firstPeriod.end + 5 * 86_400
            let resumedPeriod = BillingPeriod(start: resumedAt, end: resumedAt + BillingStory.month)
            world.at(resumedAt + 60)
            _ = try world.stripe.advancePeriod(item: item, to: resumedPeriod)
            let resumed = Self.event("customer.subscription.resumed", "evt_pause_resumed", at: resumedAt, world, price: story.legacy,
                                     period: resumedPeriod, previous: paused.subscription)
            try await world.deliver(resumed.bytes)
            try await world.flush()
            #expect(world.legacyBilled(resumedPeriod) == 6)
            let carried = try await world.harness.database.reports(customerID: ReportingWorld.customer).filter(\.carried)
            #expect(carried.map(\.quantity) == [6])
        }
    }
}
