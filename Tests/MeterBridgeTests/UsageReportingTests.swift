import BillingCore
import BillingStore
import Foundation
import MeterBridge
import MeterBridgeTesting
import StripeDouble
import StripeEventBuilders
import Testing

/// Every unit recorded reaches Stripe once, in its period, through the right API (issue: usage ledger and reporter).
@Suite(.serialized)
struct UsageReportingTests {
    static let faults = RandomFaults(seed: 7, rates: [
        .init(.rateLimited, probability: 0.15), .init(.status(500, shouldRetry: nil), probability: 0.1),
        .init(.dropConnection(.afterApplying), probability: 0.1), .init(.dropConnection(.beforeApplying), probability: 0.05),
        .init(.slow(.milliseconds(20)), probability: 0.1),
    ])

    @Test(arguments: [false, true])
    func aFullLegacyPeriodIsFlushedBeforeTheBoundaryAndLateUsageIsCarried(withFaults: Bool) async throws {
        try await ReportingWorld.run(faults: withFaults ? Self.faults : nil) { world in
            let story = world.story
            try await world.deliver(story.created)
            var recordedFirst: Int64 = 0
            for (index, quantity) in [3, 5, 8, 13].enumerated() {
                try await world.record(Int64(quantity), at: story.start + 100 + Int64(index))
                recordedFirst += Int64(quantity)
            }
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == recordedFirst)
            #expect(world.stripe.callCount(.createUsageRecord) >= 1)

            // Usage near the end of the period: the pre-boundary and final flushes send it before the boundary.
            let end = story.firstPeriod.end
            world.at(end - 400)
            try await world.record(21, at: end - 400)
            world.at(end - 300)
            try await world.flush(onlyActions: true)
            world.at(end - 100)
            try await world.record(34, at: end - 100)
            world.at(end - 10)
            try await world.flush(onlyActions: true)
            recordedFirst += 55
            #expect(world.legacyBilled(story.firstPeriod) == recordedFirst)

            // The renewal; usage timestamped in the ended period arrives late and is carried into the new one.
            world.at(end + 30)
            _ = try world.stripe.advancePeriod(item: "si_\(story.subscriptionID)_api", to: story.secondPeriod)
            try await world.deliver(story.renewal(to: story.legacy), story.invoiceCreated)
            try await world.record(7, at: end - 5)
            try await world.record(2, at: end + 20)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == recordedFirst)
            #expect(world.legacyBilled(story.secondPeriod) == 9, "the late 7 is carried into the current period")
            let reports = try await world.harness.database.reports(customerID: ReportingWorld.customer)
            #expect(reports.contains { $0.carried && $0.quantity == 7 })
            // The customer's view says the same: everything recorded was reported, per period, the 7 as carried.
            let usage = try await world.customerUsage()
            #expect(usage.metrics.first?.recorded == recordedFirst + 9)
            #expect(usage.metrics.first?.reported == recordedFirst + 9)
            #expect(usage.metrics.first?.pending == 0)
            #expect(usage.metrics.first?.periods.map(\.reported) == [recordedFirst, 9])
            #expect(usage.metrics.first?.periods.last?.carried == 7)
            if withFaults { #expect(world.stripe.requests().contains { $0.fault != nil }, "the double injected no fault") }
        }
    }

    @Test(arguments: [false, true])
    func aScheduleMigrationReportsLegacyUntilThePhaseStartThenMeterEvents(withFaults: Bool) async throws {
        try await ReportingWorld.run(faults: withFaults ? Self.faults : nil) { world in
            let story = world.story
            try await world.deliver(story.created, story.migrationPlanned)
            try await world.record(40, at: story.start + 100)
            try await world.record(2, at: story.start + 200)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == 42)
            // Shadow meter events mirror the legacy usage, so the two summaries can be reconciled before the switch.
            #expect(world.meterBilled(story.firstPeriod) == 42)

            let end = story.firstPeriod.end
            world.at(end - 10)
            try await world.flush(onlyActions: true)
            #expect(world.legacyBilled(story.firstPeriod) == 42)
            let usageRecordCalls = world.stripe.callCount(.createUsageRecord)
            world.at(end + 30)
            // The phase starts: Stripe moves the item to the meter price.
            _ = try world.stripe.advancePeriod(item: "si_\(story.subscriptionID)_api", to: story.secondPeriod)
            try world.stripe.changePrice(item: "si_\(story.subscriptionID)_api", to: Price(
                id: "price_meter", productID: "prod_api", type: "recurring",
                recurring: PriceRecurring(interval: "month", intervalCount: 1, usageType: .metered, meterID: "mtr_api")
            ))
            try await world.deliver(story.renewed, story.invoiceCreated)
            try await world.record(11, at: end + 10)
            try await world.record(4, at: end + 20)
            try await world.flush()
            #expect(world.meterBilled(story.secondPeriod) == 15)
            #expect(world.stripe.callCount(.createUsageRecord) == usageRecordCalls, "no usage record after the switch")
            if withFaults { #expect(world.stripe.requests().contains { $0.fault != nil }, "the double injected no fault") }
            let view = try await EventProcessorTests.subscription(story.subscriptionID, world.client, token: ReportingWorld.token)
            #expect(view.items.first?.mode == "meter")
        }
    }

    @Test func aCustomerWithoutASubscriptionIsBilledThroughTheMeter() async throws {
        try await ReportingWorld.run { world in
            let recordedAt = world.now
            try await world.record(6, at: recordedAt - 30, customer: "cus_nosub")
            try await world.record(9, at: recordedAt - 20, customer: "cus_nosub")
            // Within the subscription grace (flush.subscription_grace, 300 s) a subscription may still be on its way.
            try await world.flush()
            #expect(world.stripe.callCount(.createMeterEvent) == 0, "sent before the grace ran out")
            world.at(recordedAt + 300)
            try await world.flush()
            #expect(world.meterBilled(BillingPeriod(start: recordedAt - 3600, end: world.now + 1), customer: "cus_nosub") == 15)
            #expect(world.stripe.callCount(.createMeterEvent) == 1, "one meter event per customer and meter per flush")
        }
    }

    /// A product posts a new customer's first usage before Stripe's `customer.subscription.created` reaches
    /// meterbridge: the usage waits for the subscription and bills on its (legacy) item, not as customer meter events.
    @Test func usageThatArrivesBeforeItsSubscriptionBillsOnTheSubscriptionsItem() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            try await world.record(7, at: world.now - 5)
            try await world.record(2, at: world.now - 1)
            try await world.flush()
            #expect(world.stripe.callCount(.createMeterEvent) == 0 && world.stripe.callCount(.createUsageRecord) == 0)
            world.at(world.now + 60)
            try await world.deliver(story.created)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == 9)
            #expect(world.stripe.callCount(.createMeterEvent) == 0, "nothing went around the item")
        }
    }

    /// docs/billing-rules.md, "Reporting, keys and retries": one Stripe call per item (or customer and meter) per flush interval, whatever the volume.
    @Test(arguments: [10, 1_000, 100_000])
    func oneCallPerItemPerFlushWhateverTheVolume(recordsPerItem: Int) async throws {
        try await ReportingWorld.run { world in
            try await world.deliver(world.story.created)
            for customer in [ReportingWorld.customer, "cus_nosub"] {
                try await world.recordBatches(recordsPerItem, customer: customer, from: world.story.start + 100)
            }
            // Past the subscription grace, so cus_nosub's newest usage goes out too.
            world.at(world.now + 300)
            let started = ContinuousClock.now
            try await world.flush()
            let elapsed = ContinuousClock.now - started
            let calls = world.stripe.callCount(.createUsageRecord) + world.stripe.callCount(.createMeterEvent)
            print("flush-calls records_per_item=\(recordsPerItem) items=2 stripe_calls=\(calls) flush=\(elapsed)")
            #expect(world.stripe.callCount(.createUsageRecord) == 1)
            #expect(world.stripe.callCount(.createMeterEvent) == 1)
            #expect(world.legacyBilled(world.story.firstPeriod) == Int64(recordsPerItem))
            #expect(world.meterBilled(BillingPeriod(start: world.story.start, end: world.now + 1), customer: "cus_nosub") == Int64(recordsPerItem))
        }
    }

    /// Pending usage is read in arrival order; more of it than `flush.planning_window` is planned window by window:
    /// more calls, each unit still billed once.
    @Test func aBacklogLargerThanThePlanningWindowIsReportedWindowByWindow() async throws {
        try await ReportingWorld.run(planningWindow: 150) { world in
            try await world.deliver(world.story.created)
            // Arrival order: the legacy customer's 200, then cus_nosub's 200. Windows: 150 | 50 + 100 | 100.
            for customer in [ReportingWorld.customer, "cus_nosub"] {
                try await world.recordBatches(200, customer: customer, from: world.story.start + 100)
            }
            world.at(world.now + 300)
            try await world.flush()
            #expect(world.stripe.callCount(.createUsageRecord) == 2)
            #expect(world.stripe.callCount(.createMeterEvent) == 2)
            #expect(world.legacyBilled(world.story.firstPeriod) == 200)
            #expect(world.meterBilled(BillingPeriod(start: world.story.start, end: world.now + 1), customer: "cus_nosub") == 200)
            #expect(try await world.harness.database.unreportedUsage(after: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: [false, true])
    func aMidCycleSwitchReReportsThePeriodToDateOnTheNewPrice(withFaults: Bool) async throws {
        try await ReportingWorld.run(faults: withFaults ? Self.faults : nil) { world in
            let story = world.story
            try await world.deliver(story.created)
            try await world.record(30, at: story.start + 100)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == 30)
            try await world.record(5, at: story.start + 200)

            // Mid-cycle, without a schedule, the item moves to the meter price: Stripe bills only usage reported after
            // the change, so the 30 already reported is sent again on the new price, and the pending 5 goes there too.
            let switchAt = story.start + 86_400
            world.at(switchAt)
            try world.stripe.changePrice(item: "si_\(story.subscriptionID)_api", to: Self.meterPrice)
            try await world.deliver(story.switchedMidCycle(at: switchAt - 60))
            try await world.record(8, at: switchAt - 10)
            try await world.flush()
            #expect(world.meterBilled(BillingPeriod(start: story.start, end: story.firstPeriod.end + 86_400)) == 43)
            let rereports = try await world.harness.database.reports(customerID: ReportingWorld.customer).filter { $0.purpose == .rereport }
            #expect(rereports.map(\.quantity) == [35], "the 30 sent and the 5 still pending at the switch")
        }
    }

    @Test(arguments: [false, true])
    func cancellationAtPeriodEndFlushesEverythingBeforeTheEnd(withFaults: Bool) async throws {
        try await ReportingWorld.run(faults: withFaults ? Self.faults : nil) { world in
            let story = world.story
            let end = story.firstPeriod.end
            try await world.deliver(story.created)
            try await world.record(12, at: story.start + 100)
            world.at(story.start + 5 * 86_400)
            try await world.deliver(story.cancelledAtPeriodEnd(at: story.start + 5 * 86_400))
            try await world.flush()
            world.at(end - 200)
            try await world.record(6, at: end - 200)
            world.at(end - 10)
            try await world.flush(onlyActions: true)
            #expect(world.legacyBilled(story.firstPeriod) == 18)
            world.at(end + 5)
            try await world.deliver(story.deleted)
            try await world.flush()
            let view = try await EventProcessorTests.subscription(story.subscriptionID, world.client, token: ReportingWorld.token)
            #expect(view.status == "canceled")
            #expect(view.items.first?.periods.last?.state == "locked", "the final flush was confirmed, so the period locks")
            #expect(world.legacyBilled(story.firstPeriod) == 18)
        }
    }

    static let meterPrice = Price(
        id: "price_meter", productID: "prod_api", type: "recurring",
        recurring: PriceRecurring(interval: "month", intervalCount: 1, usageType: .metered, meterID: "mtr_api")
    )
}
