import BillingCore
import Testing

/// Envelope details beyond the fixtures: expanded references, defaults, old `request` strings,
/// duplicate keys, and routing fields that must never fail an event.
struct EnvelopeDecodingTests {
    func both(_ text: String) throws -> (StripeEventEnvelope, StripeEvent) {
        let bytes = Array(text.utf8)
        let envelope = try StripeEventEnvelope(parsing: bytes)
        let event = try StripeEvent(parsing: bytes)
        #expect(envelope == event.envelope)
        return (envelope, event)
    }

    @Test func expandedCustomerAndSubscriptionAreRoutedByTheirIDs() throws {
        let (envelope, _) = try both(
            #"{"id":"evt_1","type":"invoice.paid","created":5,"account":"acct_9","data":{"object":{"object":"invoice","id":"in_1","#
                + #""customer":{"id":"cus_X","object":"customer","email":"a@b"},"subscription":{"id":"sub_X","items":{"data":[]}}}}}"#
        )
        #expect(envelope.customerID == "cus_X")
        #expect(envelope.subscriptionID == "sub_X")
        #expect(envelope.account == "acct_9")
        #expect(envelope.object == "event")  // default when absent
        #expect(envelope.livemode == false)  // default when absent
    }

    @Test func basilParentSubscriptionAndCustomerObject() throws {
        let (invoice, _) = try both(
            #"{"id":"evt_2","type":"invoice.created","created":5,"data":{"object":{"object":"invoice","#
                + #""parent":{"type":"subscription_details","subscription_details":{"metadata":{},"subscription":"sub_B"}}}}}"#
        )
        #expect(invoice.subscriptionID == "sub_B")
        let (customer, _) = try both(#"{"id":"evt_3","type":"customer.updated","created":5,"data":{"object":{"object":"customer","id":"cus_C"}}}"#)
        #expect(customer.customerID == "cus_C")
        #expect(customer.subscriptionID == nil)
    }

    @Test func oddRoutingShapesRouteNowhereInsteadOfFailing() throws {
        let (envelope, event) = try both(
            #"{"id":"evt_4","type":"x.y","created":5,"data":{"object":{"object":7,"id":["a"],"customer":{"no_id":1},"#
                + #""subscription":false,"parent":"sub_P"}}}"#
        )
        #expect(envelope.dataObjectType == nil)
        #expect(envelope.dataObjectID == nil)
        #expect(envelope.customerID == nil)
        #expect(envelope.subscriptionID == nil)
        #expect(try event.decodeObject() == .other(nil))
    }

    @Test func duplicateKeysResolveToTheLastInBothDecoders() throws {
        let (envelope, _) = try both(
            #"{"id":"evt_first","type":"a","id":"evt_last","created":1,"data":{"object":{"object":"subscription","id":"sub_1","id":"sub_2"}}}"#
        )
        #expect(envelope.id == "evt_last")
        #expect(envelope.subscriptionID == "sub_2")
    }

    @Test func requestAsPlainStringIsTheRequestID() throws {
        let (_, event) = try both(#"{"id":"evt_5","type":"a","created":1,"request":"req_old","data":{"object":{}}}"#)
        #expect(event.request == EventRequest(id: "req_old", idempotencyKey: nil))
        let (_, nullRequest) = try both(#"{"id":"evt_6","type":"a","created":1,"request":null,"data":{"object":{}}}"#)
        #expect(nullRequest.request == nil)
    }

    @Test func escapedKeysAndValuesAreRead() throws {
        let (envelope, _) = try both(#"{"\u0069d":"evt_\u00e9","type":"a\/b","created":1,"data":{"object":{}}}"#)
        #expect(envelope.id == "evt_é")
        #expect(envelope.type == "a/b")
    }

    @Test func integralDoubleCreatedIsAccepted() throws {
        let (envelope, _) = try both(#"{"id":"evt_7","type":"a","created":1.7e9,"data":{"object":{}}}"#)
        #expect(envelope.created == 1_700_000_000)
    }
}
