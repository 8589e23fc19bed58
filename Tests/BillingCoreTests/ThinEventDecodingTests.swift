import BillingCore
import Testing

/// Thin (v2) events: no snapshot, an ISO-8601 `created`, a `related_object` reference.
struct ThinEventDecodingTests {
    static let name = "handbuilt/v1.billing.meter.error_report_triggered.handbuilt.thin.json"
    static let meterID = "mtr_61SZrsQbGuWDF1Mbe41Lz3pQ8vWmNy5E"

    @Test func meterErrorReportEnvelope() throws {
        let envelope = try StripeEventEnvelope(parsing: FixtureLoader.bytes(Self.name))
        #expect(envelope.isThin)
        #expect(envelope.type == EventType.meterErrorReportTriggered)
        #expect(envelope.created == 1_748_736_312)  // 2025-06-01T00:05:12.345Z, fraction truncated
        #expect(envelope.apiVersion == nil)
        #expect(envelope.livemode == false)
        #expect(envelope.relatedObjectType == "billing.meter")
        #expect(envelope.relatedObjectID == Self.meterID)
        #expect(envelope.subscriptionID == nil)
        #expect(envelope.customerID == nil)
        #expect(envelope.dataObjectType == nil)
    }

    @Test func meterErrorReportView() throws {
        let event = try FixtureLoader.event(Self.name)
        #expect(event.isThin)
        #expect(event.dataObject == .null)
        guard case .thin(let thin) = try event.decodeObject() else {
            Issue.record("not a thin event")
            return
        }
        #expect(thin.id == "evt_test_65SZrxLz3pQ8vWmN16SZrxLz3pQ8vWmNmtrErr01")
        #expect(thin.type == "v1.billing.meter.error_report_triggered")
        #expect(thin.created == 1_748_736_312)
        #expect(thin.context == nil)
        #expect(
            thin.relatedObject
                == ThinEvent.RelatedObject(id: Self.meterID, type: "billing.meter", url: "/v1/billing/meters/" + Self.meterID)
        )
        #expect(thin.data == nil)
    }

    @Test func thinEventAboutASubscriptionRoutesToIt() throws {
        let text = """
            {"id":"evt_65X","object":"v2.core.event","type":"v2.billing.something_new","livemode":true,
             "created":"2025-01-02T03:04:05+01:00","context":"acct_1Nv0FGQ9RKHgCVdK",
             "related_object":{"id":"sub_1ABC","type":"subscription","url":"/v1/subscriptions/sub_1ABC"},
             "data":{"reason":"x"}}
            """
        let envelope = try StripeEventEnvelope(parsing: Array(text.utf8))
        #expect(envelope.subscriptionID == "sub_1ABC")
        #expect(envelope.account == "acct_1Nv0FGQ9RKHgCVdK")
        #expect(envelope.livemode)
        #expect(envelope.created == 1_735_783_445)  // 02:04:05 UTC
        let event = try StripeEvent(parsing: Array(text.utf8))
        #expect(event.envelope == envelope)
        guard case .thin(let thin) = try event.decodeObject() else {
            Issue.record("not a thin event")
            return
        }
        #expect(thin.data == .object(["reason": .string("x")]))
        #expect(thin.context == "acct_1Nv0FGQ9RKHgCVdK")
    }

    @Test func relatedObjectNeedsIDAndType() throws {
        let json = try FixtureLoader.json(Self.name).replacing(["related_object", "type"], with: nil)
        let event = try StripeEvent(json: json)
        #expect(throws: EventDecodingError.missingField("related_object.type", eventID: event.id)) { try event.decodeObject() }
    }
}
