import BillingCore
import StripeDouble
import StripeEventBuilders
import TestPrimitives
import Testing

/// The subscription model bills like Stripe: mid-cycle price changes in classic and flexible mode, deleted items,
/// the meter cut-off at invoice finalization, and `last` semantics.
struct SubscriptionBillingTests {
    typealias F = StripeFixture
    static let legacy = TestPrice.legacy("price_api_legacy", product: "prod_api")
    static let meter = TestPrice.meter("price_api_meter", product: "prod_api", meter: "mtr_sum")
    static let meterLast = TestPrice.meter("price_seats_meter", product: "prod_seats", meter: "mtr_last")

    static func subscribe(_ stripe: StripeAPIDouble, mode: DoubleBillingMode = .classic, price: TestPrice = legacy) -> [DoubleWebhook] {
        stripe.createSubscription(
            id: "sub_bill", customer: "cus_2", billingMode: mode, period: F.april, items: [.init(id: "si_bill", price: price)], shape: .basil,
            at: F.april.start)
    }

    static func quantity(_ stripe: StripeAPIDouble, _ product: String = "prod_api", _ period: BillingPeriod = F.april) -> Int64? {
        stripe.invoicedUsage().first { $0.product == product && $0.period == period }?.quantity
    }

    static func meterEvent(_ client: StripeTestClient, _ name: String = "api_requests", value: Int64, at timestamp: Int64) async throws {
        let answer = try await client.post(F.meterEvents, [
            ("event_name", name), ("payload[stripe_customer_id]", "cus_2"), ("payload[value]", String(value)), ("timestamp", String(timestamp)),
        ])
        #expect(answer.status == 200, "\(answer.body)")
    }

    @Test func classicModeBillsOnlyUsageAfterAMidCycleSwitchToAMeterPrice() async throws {
        try await F.run { stripe, client, clock in
            let events = Self.subscribe(stripe)
            #expect(events.map(\.type) == ["customer.subscription.created"])
            #expect(try await client.post(F.usageRecords("si_bill"), [("quantity", "30"), ("timestamp", String(F.now - 60))]).status == 200)
            #expect(Self.quantity(stripe) == 30)
            // The item moves to the meter price: the 30 reported on the legacy price is dropped, and a meter event
            // stamped before the switch is not billed on the new price.
            let updated = try stripe.changePrice(subscription: "sub_bill", item: "si_bill", to: Self.meter, at: F.now)
            #expect(updated.map(\.type) == ["customer.subscription.updated"])
            try await Self.meterEvent(client, value: 5, at: F.now - 10)
            clock.advance(seconds: 100)
            try await Self.meterEvent(client, value: 8, at: F.now + 50)
            #expect(Self.quantity(stripe) == 8)
            let refused = try await client.post(F.usageRecords("si_bill"), [("quantity", "1")])
            #expect(refused.status == 400, "a meter price takes no usage records")
        }
    }

    @Test func flexibleModeInvoicesTheUsageBeforeTheSwitch() async throws {
        try await F.run { stripe, client, clock in
            _ = Self.subscribe(stripe, mode: .flexible)
            _ = try await client.post(F.usageRecords("si_bill"), [("quantity", "30"), ("timestamp", String(F.now - 60))])
            _ = try stripe.changePrice(subscription: "sub_bill", item: "si_bill", to: Self.meter, at: F.now)
            clock.advance(seconds: 100)
            try await Self.meterEvent(client, value: 8, at: F.now + 50)
            #expect(Self.quantity(stripe) == 38)
        }
    }

    @Test func aDeletedItemsUsageIsNotBilledAndTheNewItemBillsFromItsStart() async throws {
        try await F.run { stripe, client, _ in
            _ = Self.subscribe(stripe)
            _ = try await client.post(F.usageRecords("si_bill"), [("quantity", "30"), ("timestamp", String(F.now - 60))])
            let events = try stripe.replaceItem(
                subscription: "sub_bill", item: "si_bill", with: .init(id: "si_new", price: Self.legacy), at: F.now, oneUpdate: false)
            #expect(events.map(\.created) == [F.now, F.now + 1], "added first, then the old item deleted")
            #expect(try await client.post(F.usageRecords("si_bill"), [("quantity", "1")]).status == 404)
            _ = try await client.post(F.usageRecords("si_new"), [("quantity", "4")])
            #expect(Self.quantity(stripe) == 4)
        }
    }

    @Test func meterEventsOfAnEndedPeriodCountUntilItsInvoiceFinalizes() async throws {
        try await F.run { stripe, client, clock in
            _ = Self.subscribe(stripe, price: Self.meter)
            try await Self.meterEvent(client, value: 3, at: F.now)
            clock.set(seconds: F.april.end + 30)
            let renewal = try stripe.renew(subscription: "sub_bill", at: clock.now.seconds)
            #expect(renewal.map(\.type) == ["customer.subscription.updated", "invoice.created"])
            #expect(renewal.last?.payload["data"]?["object"]?["automatically_finalizes_at"]?.int64Value == F.april.end + 30 + 3_600)
            #expect(renewal.last?.payload["data"]?["object"]?["billing_reason"]?.stringValue == "subscription_cycle")
            try await Self.meterEvent(client, value: 4, at: F.april.end - 100)  // late, before the finalization: billed
            clock.advance(seconds: 3_600)
            #expect(stripe.finalizeDueInvoices(at: clock.now.seconds).map(\.type) == ["invoice.finalized", "invoice.paid"])
            try await Self.meterEvent(client, value: 50, at: F.april.end - 50)  // after it: never billed
            #expect(Self.quantity(stripe) == 7)
            #expect(Self.quantity(stripe, "prod_api", stripe.currentPeriod(subscription: "sub_bill")!) == 0, "nothing moved to the new period")
        }
    }

    @Test func anAnchorResetEndsThePeriodEarlyWithASubscriptionUpdateInvoice() async throws {
        try await F.run { stripe, client, _ in
            _ = Self.subscribe(stripe)
            _ = try await client.post(F.usageRecords("si_bill"), [("quantity", "6"), ("timestamp", String(F.now - 60))])
            let events = try stripe.resetBillingCycleAnchor(subscription: "sub_bill", at: F.now)
            #expect(events.last?.payload["data"]?["object"]?["billing_reason"]?.stringValue == "subscription_update")
            #expect(Self.quantity(stripe, "prod_api", BillingPeriod(start: F.april.start, end: F.now)) == 6)
            #expect(stripe.currentPeriod(subscription: "sub_bill")?.start == F.now)
        }
    }

    @Test func aLastMeterBillsTheLatestValueByTimestamp() async throws {
        try await F.run { stripe, client, _ in
            _ = Self.subscribe(stripe, price: Self.meterLast)
            try await Self.meterEvent(client, "seats", value: 9, at: F.now - 10)
            try await Self.meterEvent(client, "seats", value: 2, at: F.now - 500)
            #expect(Self.quantity(stripe, "prod_seats") == 9)
        }
    }

    @Test func listingSubscriptionsFiltersByCustomerAndStatusAndPaginates() async throws {
        try await F.run { stripe, client, _ in
            for index in 1...3 {
                _ = stripe.createSubscription(
                    id: "sub_\(index)", customer: "cus_2", period: F.april, items: [.init(id: "si_l\(index)", price: Self.legacy)], shape: .basil,
                    at: F.april.start + Int64(index))
            }
            _ = try stripe.cancelImmediately(subscription: "sub_1", at: F.now)
            var basil = client
            basil.version = "2025-03-31.basil"
            let active = try await basil.get("/v1/subscriptions", [("customer", "cus_2"), ("limit", "1")])
            #expect(active.json["object"]?.stringValue == "list")
            #expect(active.json["data"]?[0]?["id"]?.stringValue == "sub_3", "newest first")
            #expect(active.json["has_more"]?.boolValue == true)
            #expect(active.json["data"]?[0]?["items"]?["data"]?[0]?["current_period_start"]?.int64Value == F.april.start, "basil: periods on items")
            let rest = try await basil.get("/v1/subscriptions", [("customer", "cus_2"), ("starting_after", "sub_3")])
            #expect(rest.json["data"]?.arrayValue?.count == 1, "the canceled one is left out by default")
            let all = try await basil.get("/v1/subscriptions", [("customer", "cus_2"), ("status", "all"), ("expand[]", "data.schedule")])
            #expect(all.json["data"]?.arrayValue?.count == 3)
            let acacia = try await client.get("/v1/subscriptions", [("customer", "cus_2")])
            #expect(acacia.json["data"]?[0]?["current_period_end"]?.int64Value == F.april.end, "acacia: periods on the subscription")
            #expect(try await client.get("/v1/subscriptions", [("status", "gone")]).status == 400)
            #expect(try await client.get("/v1/subscriptions", [("colour", "red")]).status == 400)
        }
    }
}
