import BillingCore
import Foundation
import StripeEventBuilders
import Testing

/// The one workflow every service and replay runs: event outcomes, final flushes awaiting confirmation, and what a
/// rebuild plays in place of the scheduler and the reporter.
struct SubscriptionWorkflowTests {
    static let first = period(Story.start, Story.start + Story.month)

    /// Created, then deleted at the end of the first period: the deletion ends every item.
    static func deletedStory() throws -> [WorkflowInput] {
        var story = Story(shape: .basil)
        story.created(at: Story.start + 1)
        story.update(EventType.subscriptionDeleted, at: first.end + 1) {
            $0.status = "canceled"
            $0.endedAt = first.end
        }
        return try zip(story.documents, story.inputs()).map { document, input in
            .event(id: try TestEvents.decode(document).id, created: created(input), .input(input))
        }
    }

    @Test func eachEventEndsProcessedIgnoredOrFailedWithItsReason() throws {
        var story = Story(shape: .acacia)
        story.created(at: Story.start + 1)
        let created = Array(story.documents[0].serializedBytes)
        let customer = Array(#"{"id":"evt_c","object":"event","type":"customer.updated","created":1,"data":{"object":{}}}"#.utf8)
        let broken = Array(#"{"id":"evt_b","object":"event","type":"invoice.paid","created":1,"data":{"object":{"object":"subscription"}}}"#.utf8)
        let inputs: [WorkflowInput] = [
            .event(id: "evt_a", created: 1, .decode(type: EventType.subscriptionCreated, payload: created)),
            .event(id: "evt_c", created: 1, .decode(type: "customer.updated", payload: customer)),
            .event(id: "evt_b", created: 1, .decode(type: EventType.invoicePaid, payload: broken)),
        ]
        let (state, output) = SubscriptionWorkflow.run(inputs, to: SubscriptionState(subscriptionID: Story.subscriptionID), configuration: .default, now: .epoch)
        #expect(output.events.map(\.eventID) == ["evt_a", "evt_c", "evt_b"])
        #expect(output.events[0].outcome == .processed)
        #expect(output.events[1].outcome == .ignored)
        guard case .failed(let reason) = output.events[2].outcome else { Issue.record("\(output.events[2])"); return }
        #expect(reason.contains("evt_b"), "the reason names the event: \(reason)")
        #expect(state.items.map(\.id) == ["si_base", "si_usage"])
        #expect(output.outbox.allSatisfy { $0.action.isRecordedInOutbox })
        #expect(output.timerChanges.count == 2, "the period-end timers are armed, outside the outbox")
        #expect(output.outbox.map(\.eventID).allSatisfy { $0 == "evt_a" })
    }

    @Test func eventsOfNoSubscriptionAreIgnoredButMeterErrorReportsAreProcessed() {
        #expect(EventOutcome.withoutSubscription(type: "customer.updated") == .ignored)
        #expect(EventOutcome.withoutSubscription(type: EventType.meterErrorReportTriggered) == .processed)
    }

    @Test func theInputThatEndsTheSubscriptionAsksForItsFinalFlushesToBeConfirmed() throws {
        let inputs = try Self.deletedStory()
        var workflow = SubscriptionWorkflow(state: SubscriptionState(subscriptionID: Story.subscriptionID), configuration: .default)
        workflow.apply(inputs[0], now: .epoch)
        #expect(workflow.takeOutput().finalFlushesAwaitingConfirmation.isEmpty)
        workflow.apply(inputs[1], now: .epoch)
        let output = workflow.takeOutput()
        let keys = output.finalFlushesAwaitingConfirmation.map(\.key)
        #expect(keys == [key("si_usage", Self.first.start, .final)], "the licensed item has no usage to flush")
        // Each also goes to the outbox as a flush, after the machine's own flush of the same key, for the reporter.
        #expect(output.outbox.map(\.action).flushKeys.filter { $0.reason == .final } == [key("si_usage", Self.first.start, .final)] + keys)
        #expect(workflow.state.item(id: "si_usage")?.period(startingAt: Self.first.start)?.state == .ended)

        // The reporter's confirmation locks the period; a second one changes nothing.
        workflow.apply(.finalFlushConfirmed(itemID: "si_usage", periodStart: Self.first.start), now: .epoch)
        #expect(workflow.takeOutput().outbox.map(\.action) == [.lockPeriod(ItemPeriod(itemID: "si_usage", period: Self.first))])
        workflow.apply(.finalFlushConfirmed(itemID: "si_usage", periodStart: Self.first.start), now: .epoch)
        #expect(workflow.takeOutput().actions.isEmpty)
    }

    @Test func aRebuildConfirmsFinalFlushesUnlessTheCustomerHasUnsentUsage() throws {
        let inputs = try Self.deletedStory()
        func run(_ options: WorkflowOptions) -> (SubscriptionState, WorkflowOutput) {
            SubscriptionWorkflow.run(inputs, to: SubscriptionState(subscriptionID: Story.subscriptionID), configuration: .default, options: options, now: .epoch)
        }
        let (confirmed, output) = run(.rebuild(customersWithUnsentUsage: []))
        #expect(confirmed.item(id: "si_usage")?.period(startingAt: Self.first.start)?.state == .locked)
        #expect(output.finalFlushesConfirmed == 1)
        let (waiting, held) = run(.rebuild(customersWithUnsentUsage: ["cus_test"]))
        #expect(waiting.item(id: "si_usage")?.period(startingAt: Self.first.start)?.state == .ended)
        #expect(held.finalFlushesConfirmed == 0)
        let (live, _) = run(.live)
        #expect(live.item(id: "si_usage")?.period(startingAt: Self.first.start)?.state == .ended, "live, the reporter confirms")
    }

    @Test func aRebuildFiresTheTimersDueBeforeEachEvent() throws {
        var story = Story(shape: .acacia)
        story.created(at: Story.start + 1)
        story.renewalTimeline()
        let inputs = try zip(story.documents, story.inputs()).map { document, input in
            WorkflowInput.event(id: try TestEvents.decode(document).id, created: created(input), .input(input))
        }
        let fresh = SubscriptionState(subscriptionID: Story.subscriptionID)
        let (_, rebuilt) = SubscriptionWorkflow.run(inputs, to: fresh, configuration: .default, options: .rebuild(customersWithUnsentUsage: []), now: .epoch)
        #expect(rebuilt.firedTimers == ["\(Story.subscriptionID)/preBoundary/\(Self.first.end)", "\(Story.subscriptionID)/finalFlush/\(Self.first.end)"])
        #expect(rebuilt.outbox.map(\.action).flushKeys.contains(key("si_usage", Self.first.start, .preBoundary)))
        let (_, live) = SubscriptionWorkflow.run(inputs, to: fresh, configuration: .default, now: .epoch)
        #expect(live.firedTimers.isEmpty)
        #expect(!live.outbox.map(\.action).flushKeys.contains(key("si_usage", Self.first.start, .preBoundary)))
    }

    @Test func aTimerWhoseIDNoLongerParsesIsConsumedWithNothingApplied() {
        var workflow = SubscriptionWorkflow(state: SubscriptionState(subscriptionID: Story.subscriptionID), configuration: .default)
        workflow.apply(.timer(id: "sub_test/retired_kind/1"), now: .epoch)
        #expect(workflow.output.firedTimers == ["sub_test/retired_kind/1"])
        #expect(workflow.output.actions.isEmpty)
    }

    @Test func everyActionSurvivesItsCodableForm() throws {
        let item = ItemPeriod(itemID: "si_1", period: Self.first)
        let timer = BillingTimerID(subscriptionID: "sub_1", kind: .finalFlush, boundary: Self.first.end)
        let actions: [BillingAction] = [
            .openPeriod(item), .scheduleTimer(timer, fireAt: Self.first.end - 60), .cancelTimer(timer),
            .flush(UsageFlush(key: FlushKey(subscriptionID: "sub_1", itemID: "si_1", periodStart: Self.first.start, reason: .lastChance), period: Self.first)),
            .switchMode(ModeSwitch(itemID: "si_2", productID: "prod_1", from: .legacy, to: .meter, effectiveAt: 5, replacedItemID: "si_1")),
            .switchMode(ModeSwitch(itemID: "si_2", productID: nil, from: .meter, to: .none, effectiveAt: 5)),
            .rereport(Rereport(itemID: "si_1", period: Self.first, usageFrom: Self.first.start, switchedAt: 7, billedFrom: 7)),
            .rereport(Rereport(itemID: "si_2", period: Self.first, usageFrom: Self.first.start - 3, switchedAt: 9, billedFrom: 4, replacedItemID: "si_1")),
            .startShadowMeter(itemID: "si_1", until: 9), .stopShadowMeter(itemID: "si_1"), .lockPeriod(item),
            .carryUsage(UsageCarry(from: item, to: ItemPeriod(itemID: "si_2", period: period(Self.first.end, Self.first.end + Story.month)))),
            .meterErrorReported(MeterErrorReport(eventID: "evt_\u{1}\u{8}\u{c}\u{1f}\u{7f}\n\r\t\"\\/", created: -3, meterID: "mtr_ü€😀\u{2028}")),
            .ambiguousSnapshotTie(keptEventID: "evt_a", otherEventID: "evt_b"),
        ]
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for action in actions {
            let data = try JSONEncoder().encode(action)
            #expect(try JSONDecoder().decode(BillingAction.self, from: data) == action)
            // The outbox's fast writer writes Foundation's bytes, control characters and non-ASCII included.
            #expect(try FlatJSONEncoder.encode(action) == Array(foundation.encode(action)), "\(action)")
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["type"] as? String == action.kind, "flat, with its kind as type: \(object)")
        }
        let unknown = Data(#"{"type":"teleport","item":"si_1"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BillingAction.self, from: unknown) }
    }
}
