import BillingCore
import BillingStore
import Foundation
import MeterBridge
import MeterBridgeTesting
import StripeDouble
import StripeEventBuilders
import Testing

/// Every kind of mid-cycle price change in Stripe's classic billing mode, end to end against the Stripe double: the
/// usage the old price drops is re-reported once, on the new price, stamped where Stripe bills it
/// (docs/billing-rules.md, "Mid-cycle price changes").
struct MidCycleSwitchTests {
    static let legacyB = Price(
        id: "price_legacy_b", productID: "prod_api", type: "recurring",
        recurring: PriceRecurring(interval: "month", intervalCount: 1, usageType: .metered, aggregateUsage: .sum)
    )
    static let meterB = Price(
        id: "price_meter_b", productID: "prod_api", type: "recurring",
        recurring: PriceRecurring(interval: "month", intervalCount: 1, usageType: .metered, meterID: "mtr_api")
    )

    /// The same item moves to another price of any kind; usage sent before (30), pending at the switch (5), stamped
    /// before it but arriving after (4), and after it (8): Stripe bills all 47 on the final price.
    @Test(arguments: [SwitchKind.legacyToLegacy, .legacyToMeter, .meterToMeter, .meterToLegacy])
    func aPriceChangeOnTheSameItemIsBilledOnce(kind: SwitchKind) async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let item = "si_\(story.subscriptionID)_api"
            try await world.deliver(story.created)
            var price = TestPrice.legacy("price_legacy")
            let switchAt = story.start + 86_400
            if kind.startsOnMeter {
                // First onto the meter price, re-reported there; the change under test comes half a day later.
                try await world.switchPrice(item: item, from: price, to: .meter("price_meter"), double: UsageReportingTests.meterPrice, at: switchAt - 86_400 / 2)
                price = .meter("price_meter")
            }
            world.at(switchAt - 100)
            try await world.record(30, at: switchAt - 3000)
            try await world.flush()
            try await world.record(5, at: switchAt - 2000)
            try await world.switchPrice(item: item, from: price, to: kind.target, double: kind.doublePrice, at: switchAt)
            try await world.flush()
            try await world.record(4, at: switchAt - 1000)
            world.at(switchAt + 600)
            try await world.record(8, at: switchAt + 500)
            try await world.flush()
            #expect(world.billedOnFinalPrice(kind.target, item: item, from: switchAt) == 47, "\(kind)")
            let rereports = try await world.rereports()
            #expect(rereports.last?.quantity == 35, "sent (30) and pending (5) at the switch")
            #expect(rereports.last?.timestamp == switchAt, "stamped at the switch, where the new price bills it")
        }
    }

    /// An item replaced by another on the same product: in one update, the old one removed first, or the new one
    /// added first. Every unit is billed once on the new item.
    @Test(arguments: [Replacement.oneUpdate, .removedFirst, .addedFirst], [TestPrice.meter("price_meter"), TestPrice.legacy("price_legacy_b")])
    func anItemReplacementIsBilledOnceOnTheNewItem(replacement: Replacement, target: TestPrice) async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let old = TestItem(id: "si_\(story.subscriptionID)_api", price: .legacy("price_legacy"), period: story.firstPeriod)
            let new = TestItem(id: "si_new", price: target, period: story.firstPeriod)
            let doublePrice = target.mode == .meter ? UsageReportingTests.meterPrice : Self.legacyB
            let switchAt = story.start + 86_400
            try await world.deliver(story.created)
            world.at(switchAt - 700)
            try await world.record(30, at: switchAt - 3000)
            try await world.flush()
            try await world.record(5, at: switchAt - 2000)
            switch replacement {
            case .oneUpdate:
                world.at(switchAt)
                world.replaceInDouble(old: old.id, new: new.id, price: doublePrice)
                try await world.deliver(world.update([new], previous: [old], at: switchAt, name: "replaced"))
            case .removedFirst:
                world.at(switchAt - 600)
                try world.stripe.deleteSubscriptionItem(old.id)
                try await world.deliver(world.update([], previous: [old], at: switchAt - 600, name: "removed"))
                try await world.record(2, at: switchAt - 300)
                world.at(switchAt)
                world.replaceInDouble(old: nil, new: new.id, price: doublePrice)
                try await world.deliver(world.update([new], previous: [], at: switchAt, name: "added"))
            case .addedFirst:
                world.at(switchAt - 600)
                world.replaceInDouble(old: nil, new: new.id, price: doublePrice)
                try await world.deliver(world.update([old, new], previous: [old], at: switchAt - 600, name: "added"))
                try await world.record(2, at: switchAt - 300)
                try await world.flush()
                world.at(switchAt)
                try world.stripe.deleteSubscriptionItem(old.id)
                try await world.deliver(world.update([new], previous: [old, new], at: switchAt, name: "removed"))
            }
            world.at(switchAt + 600)
            try await world.record(8, at: switchAt + 500)
            try await world.flush()
            let expected: Int64 = replacement == .oneUpdate ? 43 : 45
            // The new item bills from when it joined: the switch, or its addition when it came first.
            let billedFrom = replacement == .addedFirst ? switchAt - 600 : switchAt
            #expect(world.billedOnFinalPrice(target, item: new.id, from: billedFrom) == expected, "\(replacement) to \(target.mode)")
            let rereports = try await world.rereports()
            #expect(rereports.count == 1)
        }
    }

    /// A `last` metric re-reports the latest value before the switch, never a sum.
    @Test func aLastMetricReReportsOnlyTheLatestValue() async throws {
        try await ReportingWorld.run(aggregation: .last) { world in
            let story = world.story
            let item = "si_\(story.subscriptionID)_api"
            let switchAt = story.start + 86_400
            try await world.deliver(story.created)
            world.at(switchAt - 700)
            try await world.record(30, at: switchAt - 3000)
            try await world.record(40, at: switchAt - 2500)
            try await world.flush()
            try await world.record(35, at: switchAt - 2000)
            try await world.switchPrice(item: item, from: .legacy("price_legacy"), to: .meter("price_meter"), double: UsageReportingTests.meterPrice, at: switchAt)
            world.at(switchAt + 600)
            try await world.flush()
            let rereports = try await world.rereports()
            #expect(rereports.map(\.quantity) == [35])
            #expect(world.meterBilled(BillingPeriod(start: switchAt, end: story.firstPeriod.end)) == 35)
        }
    }

    /// A round that stops after writing the re-report but before marking its action done (a crash, a failed send)
    /// plans it again: it finds the row it wrote, so Stripe gets the re-report once.
    @Test func aReReportPlannedAgainAfterAnInterruptedRoundIsSentOnce() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let item = "si_\(story.subscriptionID)_api"
            let switchAt = story.start + 86_400
            try await world.deliver(story.created)
            world.at(switchAt - 700)
            try await world.record(30, at: switchAt - 3000)
            try await world.flush()
            try await world.switchPrice(item: item, from: .legacy("price_legacy"), to: .meter("price_meter"), double: UsageReportingTests.meterPrice, at: switchAt)
            world.at(switchAt + 600)
            try await world.flush()
            let connection = try SQLiteConnection(path: world.harness.directory.databasePath)
            try connection.execute("UPDATE actions SET status = 'pending' WHERE kind = 'rereport'")
            try await world.flush()
            let rereports = try await world.rereports()
            #expect(rereports.count == 1)
            #expect(world.meterBilled(BillingPeriod(start: switchAt, end: story.firstPeriod.end)) == 30)
        }
    }
}

/// A price change on one item, by the kinds of price before and after.
enum SwitchKind: CustomStringConvertible, Sendable {
    case legacyToLegacy, legacyToMeter, meterToMeter, meterToLegacy

    var startsOnMeter: Bool { self == .meterToMeter || self == .meterToLegacy }
    var target: TestPrice {
        switch self {
        case .legacyToLegacy, .meterToLegacy: return .legacy("price_legacy_b")
        case .legacyToMeter: return .meter("price_meter")
        case .meterToMeter: return .meter("price_meter_b")
        }
    }
    var doublePrice: Price {
        switch self {
        case .legacyToLegacy, .meterToLegacy: return MidCycleSwitchTests.legacyB
        case .legacyToMeter: return UsageReportingTests.meterPrice
        case .meterToMeter: return MidCycleSwitchTests.meterB
        }
    }
    var description: String {
        switch self {
        case .legacyToLegacy: return "legacy → legacy"
        case .legacyToMeter: return "legacy → meter"
        case .meterToMeter: return "meter → meter"
        case .meterToLegacy: return "meter → legacy"
        }
    }
}

/// How an item is replaced by another on the same product.
enum Replacement: Sendable {
    case oneUpdate, removedFirst, addedFirst
}

extension ReportingWorld {
    /// Moves `item` to `price` in the double and delivers the update at `at`.
    func switchPrice(item: String, from: TestPrice, to: TestPrice, double: Price, at time: Int64) async throws {
        self.at(time)
        let at = time
        try stripe.changePrice(item: item, to: double)
        let before = TestItem(id: item, price: from, period: story.firstPeriod)
        let after = TestItem(id: item, price: to, period: story.firstPeriod)
        try await deliver(update([after], previous: [before], at: at, name: "price-\(at)"))
    }

    /// A `customer.subscription.updated` listing `items`, with `previous` as `previous_attributes.items`.
    func update(_ items: [TestItem], previous: [TestItem], at: Int64, name: String) -> [UInt8] {
        var now = story.subscription(price: story.legacy, period: story.firstPeriod)
        now.items = items
        var before = now
        before.items = previous
        return TestEvents.subscription(
            "customer.subscription.updated", id: "evt_\(story.subscriptionID)_\(name)", created: at, now, previous: before, shape: story.shape
        ).serializedBytes
    }

    /// The re-report rows written for the story's customer.
    func rereports() async throws -> [UsageReportRow] {
        try await harness.database.reports(customerID: ReportingWorld.customer).filter { $0.purpose == .rereport }
    }

    /// Adds `new` on `price` to the double's subscription, deleting `old` when given.
    func replaceInDouble(old: String?, new: String, price: Price) {
        stripe.addSubscriptionItem(SubscriptionItemSeed(
            id: new, subscription: story.subscriptionID, customer: ReportingWorld.customer, price: price, currentPeriod: story.firstPeriod
        ))
        if let old { try? stripe.deleteSubscriptionItem(old) }
    }

    /// What Stripe bills for the first period on the final price: the item's usage records under its price, or the
    /// meter events stamped from `from` (the switch) to the period's end.
    func billedOnFinalPrice(_ price: TestPrice, item: String, from: Int64) -> Int64 {
        price.mode == .meter ? meterBilled(BillingPeriod(start: from, end: story.firstPeriod.end)) : stripe.billedUsage(item: item, period: story.firstPeriod) ?? 0
    }
}
