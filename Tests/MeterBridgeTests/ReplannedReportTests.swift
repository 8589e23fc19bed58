import BillingCore
import BillingStore
import Foundation
import MeterBridge
import MeterBridgeTesting
import StripeDouble
import StripeEventBuilders
import TestPrimitives
import Testing

/// Reports whose usage went back to the ledger to be planned again (Stripe switched the item's price while they were
/// in flight) are never left dead and never sent again by `flush --retry-dead`.
@Suite(.serialized)
struct ReplannedReportTests {
    @Test func aReportInFlightWhenStripeSwitchedThePriceIsReplannedToTheMeter() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let item = "si_\(story.subscriptionID)_api"
            try await world.deliver(story.created)
            try await world.record(30, at: story.start + 100)
            try await world.flush()
            #expect(world.legacyBilled(story.firstPeriod) == 30)

            // Stripe moves the item to the meter price; meterbridge has not heard yet, and sends the 5 as a usage record.
            let switchAt = story.start + 86_400
            world.at(switchAt)
            try await world.record(5, at: switchAt - 30)
            try world.stripe.changePrice(item: item, to: UsageReportingTests.meterPrice)
            try await world.harness.reporter.flushNow()
            let refused = try await world.harness.database.reports(customerID: ReportingWorld.customer).filter { $0.quantity == 5 }
            #expect(refused.map(\.status.rawValue) == ["replanned"], "the usage goes back to the ledger, the report is not dead")
            #expect(try await world.harness.database.usage(customerID: ReportingWorld.customer).first?.pending == 5)
            // A round before the webhook plans the usage the same way again: the same report, the same key, no new call.
            let calls = world.stripe.callCount(.createUsageRecord)
            try await world.harness.reporter.flushNow()
            #expect(world.stripe.callCount(.createUsageRecord) == calls)

            // The webhook arrives: the 5 goes out on the meter with the re-report of the 30.
            world.at(switchAt + 60)
            try await world.deliver(story.switchedMidCycle(at: switchAt - 60))
            try await world.flush()
            let period = BillingPeriod(start: story.start, end: story.firstPeriod.end)
            #expect(world.meterBilled(period) == 35)

            // An operator's `flush --retry-dead` finds nothing to send again.
            #expect(try await world.harness.database.retryDeadReports(at: world.harness.clock.now) == 0)
            try await world.flush()
            #expect(world.meterBilled(period) == 35)
            let counts = try await world.harness.database.reportCounts()
            #expect(counts.first { $0.key.rawValue == "replanned" }?.value == 1)
        }
    }
}
