import BillingCore
import StripeEventBuilders
import Testing

/// The per-object watermark (docs/billing-rules.md, "Ordering and watermarks"): stale snapshots are not applied backwards,
/// same-second ties are resolved by the snapshot's own progress, duplicates change nothing.
struct StateMachineOrderingTests {
    static let first = period(Story.start, Story.start + Story.month)
    static let second = period(Story.start + Story.month, Story.start + 2 * Story.month)

    @Test(arguments: APIShape.allCases)
    func staleSnapshotIsNotAppliedBackwards(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 3 * Story.day) { $0.status = "past_due" }
        story.update(at: Story.start + 4 * Story.day) {
            $0.status = "active"
            $0.cancelAtPeriodEnd = true
        }
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)
        _ = machine.apply(inputs[2], now: 0)
        let state = machine.state
        #expect(machine.apply(inputs[1], now: 0).isEmpty)
        #expect(machine.apply(inputs[0], now: 0).isEmpty)
        #expect(machine.state.status == .active)
        #expect(machine.state.cancelAtPeriodEnd)
        #expect(machine.state.watermark == state.watermark)
        // A stale snapshot is history: only the price sightings of its period record it.
        #expect(machine.state.items.map(\.priceID) == state.items.map(\.priceID))
        #expect(machine.state.items.map { $0.periods.map(\.reported) } == state.items.map { $0.periods.map(\.reported) })
        #expect(machine.state.items.map { $0.periods.map(\.state) } == state.items.map { $0.periods.map(\.state) })
        #expect(machine.state.timers == state.timers)
        #expect(machine.state.items.allSatisfy { $0.periods.allSatisfy { $0.billsFrom == nil } })
    }

    /// Two snapshots of the same second; the second one listed must win in both orders.
    struct Tie: CustomTestStringConvertible, Sendable {
        var name: String
        var older: @Sendable (inout TestSubscription) -> Void
        var newer: @Sendable (inout TestSubscription) -> Void
        var ambiguous = false
        var testDescription: String { name }
    }

    static let ties: [Tie] = [
        Tie(
            name: "later current period wins", older: { _ in },
            newer: { subscription in
                for index in subscription.items.indices { subscription.items[index].period = second }
            }),
        Tie(name: "past_due is more advanced than active", older: { _ in }, newer: { $0.status = "past_due" }),
        Tie(name: "active is more advanced than trialing", older: { $0.status = "trialing" }, newer: { _ in }),
        Tie(name: "unpaid is more advanced than past_due", older: { $0.status = "past_due" }, newer: { $0.status = "unpaid" }),
        Tie(
            name: "canceled is the most advanced", older: { $0.status = "paused" },
            newer: {
                $0.status = "canceled"
                $0.endedAt = Story.start + 5 * Story.day
            }),
        Tie(name: "cancel_at_period_end set wins", older: { _ in }, newer: { $0.cancelAtPeriodEnd = true }),
        Tie(name: "otherwise the event id decides", older: { _ in }, newer: { _ in }, ambiguous: true),
    ]

    @Test(arguments: APIShape.allCases, ties)
    func sameSecondTiesAreResolvedByTheSnapshotsOwnProgress(shape: APIShape, tie: Tie) throws {
        let second = Story.start + 5 * Story.day
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        let base = story.subscription
        story.update(at: second, tie.older)
        story.subscription = base
        story.update(at: second, tie.newer)
        let inputs = try story.inputs()
        let newerID = try #require(inputs[2].eventID)

        for order in [[0, 1, 2], [0, 2, 1]] {
            var machine = BillingStateMachine.test()
            let actions = order.map { machine.apply(inputs[$0], now: 0) }
            #expect(machine.state.watermark?.eventID == newerID, "order \(order)")
            let flagged = actions.last!.contains { if case .ambiguousSnapshotTie = $0 { true } else { false } }
            #expect(flagged == tie.ambiguous, "order \(order)")
        }
        #expect(MachineOutcome.run([inputs[0], inputs[1], inputs[2]]) == MachineOutcome.run([inputs[0], inputs[2], inputs[1]]))
    }

    @Test(arguments: APIShape.allCases)
    func ambiguousTieNamesTheKeptAndTheOtherEvent(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 9) { _ in }
        story.update(at: Story.start + 9) { _ in }
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply([inputs[0], inputs[2]], now: 0)
        #expect(machine.apply(inputs[1], now: 0) == [.ambiguousSnapshotTie(keptEventID: inputs[2].eventID!, otherEventID: inputs[1].eventID!)])
    }

    @Test(arguments: APIShape.allCases)
    func immediateDuplicatesProduceNoActions(shape: APIShape) throws {
        let (story, _) = StoryGenerator.story(seed: shape == .acacia ? 11 : 12)
        var machine = BillingStateMachine.test()
        for (index, input) in try story.inputs().enumerated() {
            _ = machine.apply(input, now: 0)
            let state = machine.state
            #expect(machine.apply(input, now: 0).isEmpty, "\(story.labels[index])")
            #expect(machine.state == state, "\(story.labels[index])")
        }
    }

    @Test(arguments: 1...6)
    func replayingAWholeStoryAgainChangesNothing(seed: UInt64) throws {
        let (story, _) = StoryGenerator.story(seed: seed)
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs, now: 0)
        let state = machine.state
        let again = machine.apply(inputs, now: 0).filter { if case .meterErrorReported = $0 { false } else { true } }
        #expect(again.filter { if case .ambiguousSnapshotTie = $0 { false } else { true } }.isEmpty)
        #expect(machine.state == state)
    }

    @Test(arguments: APIShape.allCases)
    func partialItemListingRemovesNothing(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 4 * Story.day) { $0.items.removeLast() }
        // Stripe embeds the first page of items only; `has_more` says the listing is partial.
        let partial = story.documents[1].replacing(["data", "object", "items", "has_more"], with: .bool(true))
            .replacing(["data", "previous_attributes"], with: nil)
        var machine = BillingStateMachine.test()
        _ = machine.apply(try story.inputs()[0], now: 0)
        #expect(machine.apply(try TestEvents.input(partial), now: 0).isEmpty)
        #expect(machine.state.item(id: "si_usage")?.isRemoved == false)
        #expect(machine.state.timers.count == 2)
    }

    @Test(arguments: ["customer.created", "invoice.updated", "charge.succeeded", "invoice.payment_succeeded", "price.updated"])
    func unknownEventTypesMapToNoInput(type: String) throws {
        var story = Story(shape: .basil)
        story.created(at: Story.start)
        var document = story.documents[0]
        document = document.replacing(["type"], with: .string(type))
        #expect(try BillingInput(event: TestEvents.decode(document)) == nil)
    }

    @Test func unknownThinEventTypeMapsToNoInput() throws {
        let document = TestEvents.meterErrorReport(id: "evt_thin", created: Story.start, meter: "mtr_api")
            .replacing(["type"], with: .string("v1.billing.meter.no_meter_found"))
        #expect(try BillingInput(event: TestEvents.decode(document)) == nil)
    }

    @Test(arguments: [EventType.invoiceCreated, EventType.scheduleUpdated, EventType.subscriptionUpdated])
    func handledTypeWithAnotherObjectIsAnError(type: String) throws {
        var story = Story(shape: .basil)
        story.created(at: Story.start)
        story.invoice(EventType.invoiceCreated, for: Self.first, at: Self.first.end)
        // A subscription object under an invoice type, an invoice under the others.
        let document = story.documents[type == EventType.invoiceCreated ? 0 : 1].replacing(["type"], with: .string(type))
        let error = try #require(throws: EventDecodingError.self) { try BillingInput(event: TestEvents.decode(document)) }
        #expect(error.code == .wrongType)
        #expect(error.field == "data.object.object")
    }

    @Test func snapshotOfAnotherSubscriptionIsAProgrammerError() async {
        await #expect(processExitsWith: .failure) {
            var story = Story(shape: .basil)
            story.subscription.id = "sub_other"
            story.created(at: Story.start)
            var machine = BillingStateMachine.test()
            _ = machine.apply(try story.inputs(), now: 0)
        }
    }
}
