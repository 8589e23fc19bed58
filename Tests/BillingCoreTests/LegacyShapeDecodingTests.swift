import BillingCore
import Testing

/// The acacia-and-earlier shapes, from real public payloads: subscription-level periods,
/// `invoice.subscription`, line `subscription_item`.
struct LegacyShapeDecodingTests {
    static let legacySubscriptionFixtures = [
        "customer.subscription.created.stripe-ruby-mock.2020-08-27.json",
        "customer.subscription.created.stripe-sync-engine.2020-03-02.json",
        "customer.subscription.deleted.stripe-ruby-mock.2020-08-27.json",
        "customer.subscription.deleted.stripe-sync-engine.2020-03-02.json",
        "customer.subscription.updated.stripe-ruby-mock.2020-08-27.json",
        "customer.subscription.updated.stripe-sync-engine.2020-03-02.json",
    ]

    @Test(arguments: legacySubscriptionFixtures)
    func periodsLiveOnTheSubscription(name: String) throws {
        let subscription = try Subscription(FixtureLoader.event(name).dataObject, eventID: "evt_test")
        let period = try #require(subscription.currentPeriod)
        for item in subscription.items {
            #expect(item.currentPeriod == nil)
            #expect(subscription.period(for: item) == period)
        }
    }

    @Test func subscriptionCreatedRubyMock() throws {
        let event = try FixtureLoader.event("customer.subscription.created.stripe-ruby-mock.2020-08-27.json")
        guard case .subscription(let subscription) = try event.decodeObject() else {
            Issue.record("not a subscription")
            return
        }
        #expect(subscription.currentPeriod == BillingPeriod(start: 1_648_320_110, end: 1_650_998_510))
        #expect(subscription.status == .active)
        #expect(subscription.customerID == "cus_00000000000000")
        #expect(subscription.scheduleID == "sub_sched_000000000000000000000000")
        #expect(subscription.latestInvoiceID == "in_000000000000000000000000")
        #expect(subscription.cancelAtPeriodEnd == false)
        #expect(subscription.isCollectionPaused == false)
        let item = try #require(subscription.items.first)
        #expect(item.id == "si_00000000000000")
        #expect(item.quantity == 1)
        #expect(item.price.id == "price_000000000000000000000000")
        #expect(item.price.recurring?.usageType == .licensed)
        #expect(item.price.recurring?.aggregateUsage == nil)
        #expect(item.price.reportingMode == ReportingMode.none)
        #expect(item.price.legacyUsageAction == nil)
        #expect(event.request == EventRequest(id: "req_00000000000000", idempotencyKey: "af06a7d9-5408-4f65-8379-59a93874d04c"))
        #expect(event.pendingWebhooks == 2)
    }

    @Test func subscriptionCreatedSyncEngineKeepsMetadataAndQuantitylessItems() throws {
        let event = try FixtureLoader.event("customer.subscription.created.stripe-sync-engine.2020-03-02.json")
        let subscription = try Subscription(event.dataObject, eventID: event.id)
        #expect(subscription.items.map(\.id) == ["si_JdIzi4Tn5jV9PD", "si_JdIzi4Tn5jVaaa"])
        #expect(subscription.items.map(\.quantity) == [1, nil])
        #expect(subscription.metadata["project_ref"] == "tqevlzwwvzleheqncsph")
        #expect(subscription.metadata.count == 5)
        #expect(event.request == EventRequest(id: "req_olXoysOcbnv6ZN", idempotencyKey: nil))
    }

    @Test func subscriptionDeletedSyncEngine() throws {
        let event = try FixtureLoader.event("customer.subscription.deleted.stripe-sync-engine.2020-03-02.json")
        let subscription = try Subscription(event.dataObject, eventID: event.id)
        #expect(subscription.status == .canceled)
        #expect(subscription.canceledAt == 1_623_149_102)
        #expect(subscription.endedAt == 1_623_149_102)
    }

    @Test func subscriptionUpdatedCarriesPreviousAttributes() throws {
        let event = try FixtureLoader.event("customer.subscription.updated.stripe-ruby-mock.2020-08-27.json")
        #expect(event.previousAttributes?.objectValue?.keys.sorted() == ["schedule"])
        #expect(try FixtureLoader.event("customer.subscription.created.stripe-ruby-mock.2020-08-27.json").previousAttributes == nil)
    }

    @Test func invoiceCreatedUsesTopLevelSubscription() throws {
        let event = try FixtureLoader.event("invoice.created.stripe-ruby-mock.2020-08-27.json")
        let invoice = try Invoice(event.dataObject, eventID: event.id)
        #expect(invoice.subscriptionID == "sub_000000000000000000000000")
        #expect(invoice.billingReason == .subscriptionCreate)
        #expect(invoice.status == .draft)
        #expect(invoice.finalizedAt == nil)
        let line = try #require(invoice.lines.first)
        #expect(line.subscriptionItemID == "si_00000000000000")
        #expect(line.subscriptionID == "sub_000000000000000000000000")
        #expect(line.priceID == "price_000000000000000000000000")
        #expect(line.period == BillingPeriod(start: 1_648_320_110, end: 1_650_998_510))
        #expect(line.quantity == 1)
    }

    @Test func renewalInvoiceFinalizedSyncEngine() throws {
        let event = try FixtureLoader.event("invoice.finalized.stripe-sync-engine.2020-03-02.json")
        let invoice = try Invoice(event.dataObject, eventID: event.id)
        #expect(invoice.billingReason == .subscriptionCycle)
        #expect(invoice.status == .open)
        #expect(invoice.subscriptionID == "sub_K4J0aB2bmSyb6b")
        // period_* is the period that ended; the licensed line bills the new one in advance.
        #expect(invoice.period == BillingPeriod(start: 1_639_917_028, end: 1_642_595_428))
        #expect(invoice.lines.first?.period == BillingPeriod(start: 1_642_595_428, end: 1_645_273_828))
        #expect(invoice.lines.first?.subscriptionItemID == "si_K4J0IhgijHnskj")
        #expect(invoice.finalizedAt == 1_642_599_192)
    }

    @Test func manualInvoiceHasNoSubscription() throws {
        let event = try FixtureLoader.event("invoice.paid.stripe-ruby-mock.2020-08-27.json")
        let invoice = try Invoice(event.dataObject, eventID: event.id)
        #expect(invoice.billingReason == .manual)
        #expect(invoice.subscriptionID == nil)
        #expect(event.envelope.subscriptionID == nil)
        #expect(invoice.lines.first?.subscriptionItemID == nil)
    }

    @Test func upcomingInvoiceWithoutIDDecodes() throws {
        let name = "invoice.upcoming.stripe-ruby-mock.no-api-version-legacy.json"
        let envelope = try StripeEventEnvelope(parsing: FixtureLoader.bytes(name))
        #expect(envelope.dataObjectType == "invoice")
        #expect(envelope.dataObjectID == nil)
        #expect(envelope.apiVersion == nil)
        #expect(envelope.subscriptionID == "sub_00000000000000")
        let event = try FixtureLoader.event(name)
        #expect(event.request == nil)
        #expect(event.pendingWebhooks == nil)
        let invoice = try Invoice(event.dataObject, eventID: event.id)
        #expect(invoice.id == nil)
        #expect(invoice.status == nil)
        #expect(invoice.period == BillingPeriod(start: 1_378_082_075, end: 1_380_674_075))
        // Before the Prices API a line named only its plan.
        #expect(invoice.lines.first?.priceID == "fkx0AFo")
    }
}
