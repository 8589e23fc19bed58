import BillingCore
import Testing

/// Every bundled payload, real and hand-built, goes through the envelope, the full decoder and
/// the typed view its `data.object.object` selects.
struct FixtureDecodingTests {
    @Test func fixtureDirectoryHoldsEveryPayload() throws {
        // Guards the parameterised tests below against silently iterating an empty directory.
        let real = try FixtureLoader.realEventNames()
        #expect(real.count == 19)
        #expect(!real.contains { $0.hasSuffix(".meta.json") })
        #expect(real.contains("invoice.payment_succeeded.signed-test-vector.2025-03-31.basil.payload.json"))
        #expect(try FixtureLoader.handbuiltNames().count == 6)
    }

    @Test(arguments: try FixtureLoader.allEventNames())
    func envelopeAgreesWithFullDecode(name: String) throws {
        let bytes = try FixtureLoader.bytes(name)
        let envelope = try StripeEventEnvelope(parsing: bytes)
        let event = try StripeEvent(parsing: bytes)
        #expect(envelope == event.envelope)
        #expect(envelope.id == event.id)
        #expect(envelope.isThin == event.isThin)
        // Fixture names start with the event type.
        let fileName = name.split(separator: "/").last.map(String.init) ?? name
        #expect(fileName.hasPrefix(envelope.type + "."))
    }

    @Test(arguments: try FixtureLoader.allEventNames())
    func apiVersionMatchesFileName(name: String) throws {
        let envelope = try StripeEventEnvelope(parsing: FixtureLoader.bytes(name))
        let versions = ["2020-03-02", "2020-08-27", "2025-03-31.basil", "2025-08-27.basil"]
        #expect(envelope.apiVersion == versions.first { name.contains("." + $0 + ".") })
    }

    @Test(arguments: try FixtureLoader.allEventNames())
    func typedViewChosenByObjectDecodes(name: String) throws {
        let event = try FixtureLoader.event(name)
        let routing = event.envelope
        switch (event.dataObjectType, try event.decodeObject()) {
        case ("subscription"?, .subscription(let subscription)):
            #expect(subscription.id == event.dataObjectID)
            #expect(subscription.id == routing.subscriptionID)
            #expect(!subscription.items.isEmpty)
            // Every item has a period, from whichever level the API version keeps it on.
            for item in subscription.items { #expect(subscription.period(for: item) != nil) }
        case ("invoice"?, .invoice(let invoice)):
            #expect(invoice.id == event.dataObjectID)
            #expect(invoice.subscriptionID == routing.subscriptionID)
            #expect(!invoice.lines.isEmpty)
        case ("subscription_schedule"?, .subscriptionSchedule(let schedule)):
            #expect(schedule.id == event.dataObjectID)
            #expect((schedule.subscriptionID ?? schedule.releasedSubscriptionID) == routing.subscriptionID)
            #expect(schedule.phases.count == 2)
        case (nil, .thin(let thin)):
            #expect(event.isThin)
            #expect(thin.id == event.id)
        case (let type, let view):
            Issue.record("\(name): object \(type ?? "nil") decoded as \(view)")
        }
        #expect(routing.customerID != nil || event.isThin)
    }

    @Test(arguments: try FixtureLoader.allEventNames())
    func handledTypesOnly(name: String) throws {
        // All fixtures are types meterbridge reacts to, except the two invoice notifications it only stores.
        let type = try StripeEventEnvelope(parsing: FixtureLoader.bytes(name)).type
        let storedOnly: Set = ["invoice.updated", "invoice.payment_succeeded"]
        #expect(EventType.handled.contains(type) != storedOnly.contains(type))
    }
}
