import BillingCore
import Testing

/// The basil-and-later shapes, from the two real public basil payloads: item-level periods,
/// `parent.subscription_details`, `parent.subscription_item_details`, `pricing.price_details`.
struct BasilFixtureDecodingTests {
    @Test func renewalUpdateHasItemLevelPeriods() throws {
        let event = try FixtureLoader.event("customer.subscription.updated.github-unnamed.2025-08-27.basil.json")
        let subscription = try Subscription(event.dataObject, eventID: event.id)
        #expect(subscription.currentPeriodStart == nil)
        #expect(subscription.currentPeriodEnd == nil)
        let item = try #require(subscription.items.first)
        #expect(item.id == "si_T6TR41zlO1VQ3e")
        #expect(item.currentPeriod == BillingPeriod(start: 1_758_919_042, end: 1_759_005_442))
        #expect(subscription.period(for: item) == BillingPeriod(start: 1_758_919_042, end: 1_759_005_442))
        #expect(item.price.recurring?.meterID == nil)
        #expect(item.price.recurring?.interval == "day")
        #expect(item.price.reportingMode == ReportingMode.none)
        #expect(subscription.latestInvoiceID == "in_1SBiOcBe0ycHroRBRzEtNcba")
        #expect(event.request == EventRequest(id: nil, idempotencyKey: nil))
    }

    @Test func previousAttributesHoldTheEndedItemPeriod() throws {
        let event = try FixtureLoader.event("customer.subscription.updated.github-unnamed.2025-08-27.basil.json")
        let previous = try #require(event.previousAttributes)
        #expect(previous["latest_invoice"] == .string("in_1SBLv3Be0ycHroRBVFDhVCyC"))
        let oldItem = try SubscriptionItem(#require(previous["items"]?["data"]?[0]), eventID: event.id)
        #expect(oldItem.currentPeriod == BillingPeriod(start: 1_758_832_642, end: 1_758_919_042))
    }

    @Test func paymentSucceededUsesParentDetails() throws {
        let name = "invoice.payment_succeeded.signed-test-vector.2025-03-31.basil.payload.json"
        let event = try FixtureLoader.event(name)
        let invoice = try Invoice(event.dataObject, eventID: event.id)
        #expect(invoice.id == "in_1RMgafCMHTTliF5ilpBkRLZf")
        #expect(invoice.subscriptionID == "sub_1RMgafCMHTTliF5imBKfvfyV")
        #expect(invoice.customerID == "cus_SGqVI5XZS5sDjA")
        #expect(invoice.status == .paid)
        #expect(invoice.billingReason == .subscriptionCreate)
        #expect(invoice.finalizedAt == 1_746_757_387)
        let line = try #require(invoice.lines.first)
        #expect(line.id == "il_1RMgafCMHTTliF5iQYZRgR73")
        #expect(line.subscriptionItemID == "si_SHF4BPhLdrKPYz")
        #expect(line.subscriptionID == "sub_1RMgafCMHTTliF5imBKfvfyV")
        #expect(line.priceID == "price_1RCV6tCMHTTliF5iuMgrQbyE")
        #expect(line.period == BillingPeriod(start: 1_746_757_387, end: 1_749_435_787))
        #expect(line.isProration == false)
        #expect(event.request == EventRequest(id: nil, idempotencyKey: "ea765962-90ba-4b1e-bc4c-a2db3130cdad"))
        #expect(event.pendingWebhooks == 2)
    }

    @Test func signedBodyRoutesByParentSubscription() throws {
        // The byte-exact signed body (with "1 × Basic" in it) is what the ingest path sees.
        let bytes = try FixtureLoader.bytes("invoice.payment_succeeded.signed-test-vector.2025-03-31.basil.payload.json")
        #expect(bytes.count == 5573)
        let envelope = try StripeEventEnvelope(parsing: bytes)
        #expect(
            envelope
                == StripeEventEnvelope(
                    id: "evt_1RMgagCMHTTliF5iVoysIuMJ",
                    type: "invoice.payment_succeeded",
                    apiVersion: "2025-03-31.basil",
                    created: 1_746_757_389,
                    dataObjectType: "invoice",
                    dataObjectID: "in_1RMgafCMHTTliF5ilpBkRLZf",
                    subscriptionID: "sub_1RMgafCMHTTliF5imBKfvfyV",
                    customerID: "cus_SGqVI5XZS5sDjA"
                )
        )
    }
}
