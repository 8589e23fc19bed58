import BillingCore
import Testing

/// Subscription schedules from real (2020-08-27) payloads.
struct ScheduleDecodingTests {
    func schedule(_ name: String) throws -> SubscriptionSchedule {
        let event = try FixtureLoader.event(name)
        return try SubscriptionSchedule(event.dataObject, eventID: event.id)
    }

    @Test func createdScheduleHasCurrentPhaseAndPlannedPhase() throws {
        let schedule = try schedule("subscription_schedule.created.stripe-ruby-mock.2020-08-27.json")
        #expect(schedule.id == "sub_sched_000000000000000000000000")
        #expect(schedule.status == .active)
        #expect(schedule.subscriptionID == "sub_000000000000000000000000")
        #expect(schedule.customerID == "cus_00000000000000")
        #expect(schedule.currentPhase == BillingPeriod(start: 1_648_320_110, end: 1_650_998_510))
        #expect(schedule.endBehavior == .release)
        try #require(schedule.phases.map(\.startDate) == [1_648_320_110, 1_650_998_510])
        #expect(schedule.phases.map(\.endDate) == [1_650_998_510, 1_653_590_510])
        #expect(schedule.phases[1].items == [SchedulePhaseItem(priceID: "price_000000000000000000000000", quantity: 2)])
        #expect(schedule.nextPhase(after: 1_648_320_110)?.startDate == 1_650_998_510)
        #expect(schedule.nextPhase(after: 1_650_998_510) == nil)
        #expect(schedule.phases[0].contains(1_648_320_110))
        #expect(!schedule.phases[0].contains(1_650_998_510))
    }

    @Test func canceledSchedule() throws {
        let event = try FixtureLoader.event("subscription_schedule.canceled.stripe-ruby-mock.2020-08-27.json")
        let schedule = try SubscriptionSchedule(event.dataObject, eventID: event.id)
        #expect(schedule.status == .canceled)
        #expect(schedule.canceledAt == 1_648_320_097)
        #expect(schedule.currentPhase == nil)
        #expect(event.previousAttributes?["status"] == .string("active"))
        #expect(event.previousAttributes?["current_phase"]?["start_date"] == .int(1_648_320_096))
    }

    @Test func releasedScheduleNamesTheSubscriptionItLetGo() throws {
        let name = "subscription_schedule.released.stripe-ruby-mock.2020-08-27.json"
        let schedule = try schedule(name)
        #expect(schedule.status == .released)
        #expect(schedule.subscriptionID == nil)
        #expect(schedule.releasedSubscriptionID == "sub_000000000000000000000000")
        // A released schedule has no `subscription`; routing falls back to the released one.
        #expect(try StripeEventEnvelope(parsing: FixtureLoader.bytes(name)).subscriptionID == "sub_000000000000000000000000")
    }
}
