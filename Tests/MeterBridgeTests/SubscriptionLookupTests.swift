import BillingCore
import BillingStore
import Foundation
import MeterBridge
import StripeDouble
import StripeEventBuilders
import Testing

/// Usage of a customer meterbridge knows no subscription for: once the grace is over, Stripe is asked
/// (`GET /v1/subscriptions?customer=…&status=all`) before the usage goes out by customer (docs/billing-rules.md,
/// "Routing usage").
struct SubscriptionLookupTests {
    /// The subscription's webhook never arrived: the lookup takes it in, and the usage goes to its item (a legacy
    /// price, which customer-level meter events would never bill).
    @Test func aSubscriptionWhoseWebhookWasLostIsFoundAndBillsTheUsage() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let customer = "cus_lost"
            let item = "si_lost_api"
            world.stripe.addCustomer(customer)
            _ = world.stripe.createSubscription(
                id: "sub_lost", customer: customer, period: story.firstPeriod, items: [DoubleSubscriptionItem(id: item, price: .legacy("price_legacy"))],
                shape: .acacia, at: story.start + 10
            )
            try await world.record(6, at: world.now - 10, customer: customer)
            world.at(world.now + 600)
            try await world.flush()
            #expect(world.stripe.requests(to: .listSubscriptions).count == 1)
            #expect(world.stripe.billedUsage(item: item, period: story.firstPeriod) == 6)
            #expect(world.meterBilled(BillingPeriod(start: story.start, end: world.now + 1), customer: customer) == 0)
            let stored = try await world.harness.database.events(EventQuery(subscriptionID: "sub_lost"))
            #expect(stored.map(\.status) == [.processed], "stored as meterbridge's own event, so a rebuild replays it")
        }
    }
}
