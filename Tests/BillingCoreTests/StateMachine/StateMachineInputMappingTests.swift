import BillingCore
import StripeEventBuilders
import Testing

/// Every handled event type maps to its input, in both API shapes, through the real decoder.
struct StateMachineInputMappingTests {
    static let first = period(Story.start, Story.start + Story.month)

    /// The case name of an input, e.g. `invoiceCreated`.
    static func caseName(_ input: BillingInput) -> String {
        String(String(describing: input).prefix { $0 != "(" })
    }

    @Test(arguments: APIShape.allCases)
    func everyHandledTypeMapsToItsInput(shape: APIShape) throws {
        var story = Story(shape: shape)
        var expected: [String] = []
        let subscriptionTypes: [(String, String)] = [
            (EventType.subscriptionCreated, "subscriptionCreated"), (EventType.subscriptionUpdated, "subscriptionUpdated"),
            (EventType.subscriptionDeleted, "subscriptionDeleted"), (EventType.subscriptionPaused, "subscriptionPaused"),
            (EventType.subscriptionResumed, "subscriptionResumed"), (EventType.subscriptionPendingUpdateApplied, "subscriptionPendingUpdateApplied"),
        ]
        for (index, (type, name)) in subscriptionTypes.enumerated() {
            story.update(type, at: Story.start + Int64(index)) { _ in }
            expected.append(name)
        }
        let invoiceTypes: [(String, String)] = [
            (EventType.invoiceCreated, "invoiceCreated"), (EventType.invoiceFinalized, "invoiceFinalized"), (EventType.invoicePaid, "invoicePaid"),
            (EventType.invoicePaymentFailed, "invoicePaymentFailed"), (EventType.invoiceVoided, "invoiceVoided"),
            (EventType.invoiceMarkedUncollectible, "invoiceMarkedUncollectible"), (EventType.invoiceUpcoming, "invoiceUpcoming"),
        ]
        for (type, name) in invoiceTypes {
            story.invoice(type, for: Self.first, at: Self.first.end)
            expected.append(name)
        }
        let scheduleTypes: [(String, String, String)] = [
            (EventType.scheduleCreated, "scheduleCreated", "not_started"), (EventType.scheduleUpdated, "scheduleUpdated", "active"),
            (EventType.scheduleExpiring, "scheduleExpiring", "active"), (EventType.scheduleReleased, "scheduleReleased", "released"),
            (EventType.scheduleCanceled, "scheduleCanceled", "canceled"), (EventType.scheduleCompleted, "scheduleCompleted", "completed"),
            (EventType.scheduleAborted, "scheduleAborted", "canceled"),
        ]
        for (type, name, status) in scheduleTypes {
            story.schedule(type, at: Story.start + Story.day, switchAt: Self.first.end, from: [Story.legacy], to: [Story.meter], status: status)
            expected.append(name)
        }
        story.meterError(at: Story.start + 2 * Story.day)
        expected.append("meterErrorReportTriggered")

        let inputs = try story.inputs()
        #expect(inputs.map(Self.caseName) == expected)
        #expect(Set(story.documents.map { $0["type"]?.stringValue ?? "" }) == EventType.handled)
        // Every input has the event's id and decodes the shape-specific fields.
        for (input, document) in zip(inputs, story.documents) {
            #expect(input.eventID == document["id"]?.stringValue)
        }
        guard case .invoiceFinalized(let invoice) = inputs[7] else { return }
        #expect(invoice.invoice.subscriptionID == Story.subscriptionID)
        #expect(invoice.invoice.period == Self.first)
        guard case .meterErrorReportTriggered(let report) = inputs.last! else { return }
        #expect(report.meterID == "mtr_api")
        #expect(report.created == Story.start + 2 * Story.day)
    }

    @Test(arguments: APIShape.allCases)
    func previousAttributesAreReadInBothShapes(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start)
        story.renew { $0.items[1] = TestItem(id: "si_new", price: Story.meter, period: $0.items[1].period) }
        guard case .subscriptionUpdated(let snapshot) = try story.inputs()[1] else {
            Issue.record("not an update")
            return
        }
        #expect(snapshot.previousItems?.map(\.id) == ["si_base", "si_usage"])
        if shape == .acacia {
            #expect(snapshot.previousPeriod == Self.first)
        } else {
            #expect(snapshot.previousPeriod == nil)
            #expect(snapshot.previousItems?.map(\.currentPeriod) == [Self.first, Self.first])
        }
    }

    /// The real (old-shape) payloads: each maps, and applies to the machine of its subscription.
    @Test func realFixturesMapAndApply() throws {
        var mapped = 0
        for name in try FixtureLoader.realEventNames() {
            let event = try FixtureLoader.event(name)
            guard let input = try BillingInput(event: event) else {
                #expect(!EventType.handled.contains(event.type), "\(name) was not mapped")
                continue
            }
            mapped += 1
            var machine = BillingStateMachine(subscriptionID: event.subscriptionID ?? "sub_unrouted")
            _ = machine.apply(input, now: event.created)
            _ = machine.apply(input, now: event.created)
        }
        #expect(mapped >= 15)
    }

    @Test func subscriptionFixtureFromStripeRubyMockOpensItsPeriods() throws {
        let event = try FixtureLoader.event("customer.subscription.created.stripe-ruby-mock.2020-08-27.json")
        let input = try #require(try BillingInput(event: event))
        let subscriptionID = try #require(event.subscriptionID)
        var machine = BillingStateMachine(subscriptionID: subscriptionID)
        let actions = machine.apply(input, now: event.created)
        guard case .subscriptionCreated(let snapshot) = input else { return }
        #expect(actions.opened.count == snapshot.subscription.items.count)
        #expect(machine.state.items.count == snapshot.subscription.items.count)
    }
}
