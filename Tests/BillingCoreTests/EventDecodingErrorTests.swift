import BillingCore
import StripeEventBuilders
import Testing

/// Failures name the dotted field path and the event id, and the envelope reports the same
/// first error as the full decoder.
struct EventDecodingErrorTests {
    static let subscriptionFixture = "customer.subscription.created.stripe-ruby-mock.2020-08-27.json"
    static let eventID = "evt_000000000000000000000000"

    @Test func missingPriceIDNamesPathAndEvent() throws {
        let json = try FixtureLoader.json(Self.subscriptionFixture)
            .replacing(["data", "object", "items", "data", 0, "price", "id"], with: nil)
        // The envelope and the event itself still decode: only the typed view needs the price id.
        let event = try StripeEvent(json: json)
        #expect(try StripeEventEnvelope(parsing: json.serializedBytes).subscriptionID == "sub_000000000000000000000000")
        let error = #expect(throws: EventDecodingError.self) { try event.decodeObject() }
        #expect(error == .missingField("data.object.items.data[0].price.id", eventID: Self.eventID))
        #expect(error?.description == "event evt_000000000000000000000000: missing field data.object.items.data[0].price.id")
    }

    @Test(arguments: [
        (["data", "object", "id"] as [JSONPathStep], "data.object.id"),
        (["data", "object", "status"], "data.object.status"),
        (["data", "object", "items", "data", 0, "id"], "data.object.items.data[0].id"),
    ])
    func requiredSubscriptionFields(path: [JSONPathStep], field: String) throws {
        let event = try StripeEvent(json: FixtureLoader.json(Self.subscriptionFixture).replacing(path, with: nil))
        #expect(throws: EventDecodingError.missingField(field, eventID: Self.eventID)) { try event.decodeObject() }
    }

    @Test func nullPriceFallsBackToPlanThenCountsAsMissing() throws {
        let json = try FixtureLoader.json(Self.subscriptionFixture).replacing(["data", "object", "items", "data", 0, "price"], with: .null)
        // Items still carry the legacy `plan` mirror of their price, which stands in for it.
        let subscription = try Subscription(StripeEvent(json: json).dataObject, eventID: Self.eventID)
        #expect(subscription.items.first?.price.id == "price_000000000000000000000000")
        #expect(subscription.items.first?.price.recurring?.usageType == .licensed)
        let withoutPlan = json.replacing(["data", "object", "items", "data", 0, "plan"], with: nil)
        #expect(throws: EventDecodingError.missingField("data.object.items.data[0].price", eventID: Self.eventID)) {
            try StripeEvent(json: withoutPlan).decodeObject()
        }
    }

    @Test func wrongTypeNamesExpectedAndFound() throws {
        let json = try FixtureLoader.json(Self.subscriptionFixture).replacing(["data", "object", "status"], with: .int(3))
        let error = #expect(throws: EventDecodingError.self) { try StripeEvent(json: json).decodeObject() }
        #expect(error?.code == .wrongType)
        #expect(error?.field == "data.object.status")
        #expect(error?.description == "event evt_000000000000000000000000: wrong type for data.object.status: expected string, found number")
    }

    @Test(arguments: [
        ("id", EventDecodingError.missingField("id")),
        ("type", .missingField("type", eventID: eventID)),
        ("created", .missingField("created", eventID: eventID)),
    ])
    func missingTopLevelField(key: String, expected: EventDecodingError) throws {
        let json = try FixtureLoader.json(Self.subscriptionFixture).replacing([.key(key)], with: nil)
        #expect(agreedDecodingError(json.serializedBytes) == expected)
    }

    @Test(arguments: [
        ("id", JSONValue.int(1), EventDecodingError.wrongType("id", expected: "string", found: "number")),
        ("type", .array([]), .wrongType("type", expected: "string", found: "array", eventID: eventID)),
        ("livemode", .string("yes"), .wrongType("livemode", expected: "boolean", found: "string", eventID: eventID)),
        ("created", .double(1.5), .wrongType("created", expected: "integer", found: "number", eventID: eventID)),
        ("created", .string("yesterday"), .invalidValue("created", expected: "unix seconds or ISO-8601 date-time", eventID: eventID)),
        ("api_version", .bool(true), .wrongType("api_version", expected: "string", found: "boolean", eventID: eventID)),
    ])
    func wrongTopLevelType(key: String, value: JSONValue, expected: EventDecodingError) throws {
        let json = try FixtureLoader.json(Self.subscriptionFixture).replacing([.key(key)], with: value)
        #expect(agreedDecodingError(json.serializedBytes) == expected)
    }

    @Test func missingIDWithoutEventIDReadsCleanly() {
        #expect(EventDecodingError.missingField("id").description == "missing field id")
    }

    @Test func rootMustBeAnObject() {
        #expect(agreedDecodingError(Array("[1]".utf8)) == .wrongType(nil, expected: "object", found: "array"))
    }

    @Test func snapshotEventNeedsDataObject() throws {
        let json = try FixtureLoader.json(Self.subscriptionFixture).replacing(["data"], with: nil)
        // Ingest stores it (the envelope needs no snapshot); processing reports what is missing.
        #expect(try StripeEventEnvelope(parsing: json.serializedBytes).dataObjectType == nil)
        #expect(throws: EventDecodingError.missingField("data.object", eventID: Self.eventID)) { try StripeEvent(json: json) }
    }
}
