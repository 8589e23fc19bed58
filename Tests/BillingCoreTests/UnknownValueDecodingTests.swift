import BillingCore
import StripeEventBuilders
import Testing

/// Stripe adds event types, enum values and fields over time; none of them may fail decoding.
struct UnknownValueDecodingTests {
    static let created = "handbuilt/customer.subscription.created.handbuilt.2025-03-31.basil.json"

    @Test func unknownEventTypeAndObjectDecode() throws {
        let text = #"{"id":"evt_9","object":"event","type":"customer.tax_id.created","created":1,"#
            + #""data":{"object":{"id":"txi_1","object":"tax_id","customer":"cus_1"}}}"#
        let event = try StripeEvent(parsing: Array(text.utf8))
        #expect(!EventType.handled.contains(event.type))
        #expect(try event.decodeObject() == .other("tax_id"))
        #expect(event.envelope == (try StripeEventEnvelope(parsing: Array(text.utf8))))
        #expect(event.envelope.customerID == "cus_1")
    }

    @Test func unknownSubscriptionStatusUsageTypeAndFields() throws {
        let json = try FixtureLoader.json(Self.created)
            .replacing(["data", "object", "status"], with: .string("suspended_for_review"))
            .replacing(["data", "object", "items", "data", 1, "price", "recurring", "usage_type"], with: .string("hybrid"))
            .replacing(["data", "object", "brand_new_field"], with: .object(["nested": .array([.int(1)])]))
            .replacing(["brand_new_top_level"], with: .bool(true))
        let event = try StripeEvent(json: json)
        let subscription = try Subscription(event.dataObject, eventID: event.id)
        #expect(subscription.status == .unknown("suspended_for_review"))
        #expect(subscription.status.rawValue == "suspended_for_review")
        #expect(subscription.items[1].price.recurring?.usageType == .unknown("hybrid"))
        #expect(subscription.items[1].price.reportingMode == ReportingMode.none)
        #expect(try StripeEventEnvelope(parsing: json.serializedBytes) == event.envelope)
    }

    @Test func unknownInvoiceAndScheduleValues() throws {
        let invoiceJSON = try FixtureLoader.json("handbuilt/invoice.created.handbuilt.2025-03-31.basil.json")
            .replacing(["data", "object", "billing_reason"], with: .string("subscription_migration"))
            .replacing(["data", "object", "status"], with: .string("archived"))
        let invoice = try Invoice(StripeEvent(json: invoiceJSON).dataObject, eventID: "evt_x")
        #expect(invoice.billingReason == .unknown("subscription_migration"))
        #expect(invoice.status == .unknown("archived"))

        let scheduleJSON = try FixtureLoader.json("subscription_schedule.created.stripe-ruby-mock.2020-08-27.json")
            .replacing(["data", "object", "status"], with: .string("paused"))
            .replacing(["data", "object", "end_behavior"], with: .string("renew"))
        let schedule = try SubscriptionSchedule(StripeEvent(json: scheduleJSON).dataObject, eventID: "evt_x")
        #expect(schedule.status == .unknown("paused"))
        #expect(schedule.endBehavior == .unknown("renew"))
    }

    @Test(arguments: [
        ("sum", UsageRecordAction?.some(.increment)),
        ("last_during_period", .set),
        ("last_ever", .set),
        ("max", nil),
        ("median_someday", nil),
    ])
    func legacyUsageActionFollowsAggregateUsage(aggregate: String, action: UsageRecordAction?) throws {
        let price = try Price(
            .object([
                "id": .string("price_1"),
                "recurring": .object(["usage_type": .string("metered"), "aggregate_usage": .string(aggregate), "meter": .null]),
            ]),
            eventID: "evt_x"
        )
        #expect(price.reportingMode == .legacy)
        #expect(price.legacyUsageAction == action)
    }

    @Test func knownValuesRoundTrip() {
        for raw in ["incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused"] {
            #expect(SubscriptionStatus(rawValue: raw).rawValue == raw)
            #expect(SubscriptionStatus(rawValue: raw).description == raw)
        }
        // Values compare by their raw string, so a hand-built `.unknown` of a known value is that value,
        // in sets too.
        #expect(SubscriptionStatus.unknown("active") == .active)
        #expect(Set([SubscriptionStatus.active, .unknown("active"), .unknown("new")]).count == 2)
        if case .subscriptionCycle = InvoiceBillingReason(rawValue: "subscription_cycle") {} else {
            Issue.record("subscription_cycle not recognised")
        }
        if case .unknown = SubscriptionStatus(rawValue: "past_due") { Issue.record("past_due not recognised") }
        #expect(SubscriptionScheduleStatus(rawValue: "not_started") == .notStarted)
        #expect(AggregateUsage(rawValue: "last_during_period") == .lastDuringPeriod)
    }
}
