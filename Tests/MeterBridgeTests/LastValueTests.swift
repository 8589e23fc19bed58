import BillingCore
import BillingStore
import Foundation
import MeterBridge
import StripeDouble
import StripeEventBuilders
import Testing

/// `last` metrics keep Stripe's semantics end to end (docs/billing-rules.md, "Metrics that bill their latest value").
struct LastValueTests {
    /// A value from the previous period that arrives after it ended is carried into the current one (Stripe refuses
    /// back-dated usage records), stamped at the period's start: the newer value already reported there still wins.
    @Test func aCarriedValueNeverReplacesANewerOne() async throws {
        try await ReportingWorld.run(aggregation: .last) { world in
            let story = world.story
            let item = "si_\(story.subscriptionID)_api"
            try await world.deliver(story.created)
            try await world.record(10, at: story.start + 100)
            try await world.flush()
            world.at(story.secondPeriod.start + 60)
            try world.stripe.advancePeriod(item: item, to: story.secondPeriod)
            try await world.deliver(story.renewal(to: story.legacy))
            try await world.record(20, at: story.secondPeriod.start + 30)
            try await world.flush()
            // Late: stamped in the first period, which Stripe no longer takes usage records for.
            try await world.record(5, at: story.firstPeriod.end - 10)
            world.at(story.secondPeriod.start + 300)
            try await world.flush()
            #expect(world.legacyBilled(story.secondPeriod) == 20)
            let carried = try await world.harness.database.reports(customerID: ReportingWorld.customer).filter(\.carried)
            #expect(carried.map(\.timestamp) == [story.secondPeriod.start])
        }
    }

    /// A `last_ever` legacy price migrated to a `last` meter at the renewal: a meter's `last` covers one period, so the
    /// latest value goes out again at the start of each new period, and a period without a change does not bill 0.
    @Test func aLastEverValueIsSentAgainInEachPeriodAfterTheMoveToAMeter() async throws {
        let story = BillingStory(shape: .acacia)
        try await ReportingWorld.run(story: story, aggregation: .last) { world in
            let legacy = TestPrice.legacy("price_legacy", aggregateUsage: "last_ever")
            let item = "si_\(story.subscriptionID)_api"
            let third = BillingPeriod(start: story.secondPeriod.end, end: story.secondPeriod.end + BillingStory.month)
            try await world.deliver(world.subscriptionEvent(.subscriptionCreated, at: story.start, item: item, price: legacy, period: story.firstPeriod))
            try await world.record(42, at: story.start + 100)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == 42)

            world.at(story.secondPeriod.start + 60)
            try world.stripe.changePrice(item: item, to: UsageReportingTests.meterPrice)
            try await world.deliver(world.subscriptionEvent(
                .subscriptionUpdated, at: story.secondPeriod.start, item: item, price: .meter("price_meter"), period: story.secondPeriod,
                previous: (legacy, story.firstPeriod)
            ))
            try await world.flush()
            #expect(world.meterBilled(story.secondPeriod) == 42)

            world.at(third.start + 60)
            try await world.deliver(world.subscriptionEvent(
                .subscriptionUpdated, at: third.start, item: item, price: .meter("price_meter"), period: third,
                previous: (.meter("price_meter"), story.secondPeriod)
            ))
            try await world.flush()
            #expect(world.meterBilled(third) == 42)
            try await world.record(50, at: third.start + 100)
            world.at(third.start + 200)
            try await world.flush()
            #expect(world.meterBilled(third) == 50, "a new value in the period wins over the one carried to its start")
        }
    }
}

extension ReportingWorld {
    /// A subscription event for the story's subscription with one item on `price` in `period`; `previous` renders
    /// `previous_attributes` for an update.
    func subscriptionEvent(
        _ type: SubscriptionEventType, at created: Int64, item: String, price: TestPrice, period: BillingPeriod,
        previous: (price: TestPrice, period: BillingPeriod)? = nil
    ) -> [UInt8] {
        var now = story.subscription(price: price, period: period)
        now.items = [TestItem(id: item, price: price, period: period)]
        let before = previous.map { previous in
            var before = story.subscription(price: previous.price, period: previous.period)
            before.items = [TestItem(id: item, price: previous.price, period: previous.period)]
            return before
        }
        return TestEvents.subscription(
            type.rawValue, id: "evt_\(story.subscriptionID)_\(type)_\(created)", created: created, now, previous: before, shape: story.shape
        ).serializedBytes
    }
}

/// The subscription event types these tests deliver.
enum SubscriptionEventType: String {
    case subscriptionCreated = "customer.subscription.created"
    case subscriptionUpdated = "customer.subscription.updated"
}
