import BillingCore
import StripeEventBuilders
import Testing

/// Timers for predictable boundaries: a pre-boundary flush at boundary − lead, a final flush at
/// boundary − margin; re-armed when the boundary moves; never duplicated.
struct StateMachineTimerTests {
    static let first = period(Story.start, Story.start + Story.month)
    static func id(_ kind: TimerKind, _ boundary: Int64) -> BillingTimerID {
        BillingTimerID(subscriptionID: Story.subscriptionID, kind: kind, boundary: boundary)
    }

    func created(_ shape: APIShape, usage: TestPrice = Story.legacy) throws -> BillingStateMachine {
        var story = Story(shape: shape, usage: usage)
        story.created(at: Story.start + 1)
        var machine = BillingStateMachine.test()
        _ = machine.apply(try story.inputs(), now: 0)
        return machine
    }

    @Test(arguments: APIShape.allCases)
    func preBoundaryTimerFlushesAndMovesThePeriodToClosing(shape: APIShape) throws {
        var machine = try created(shape)
        let boundary = Self.first.end
        let pre = machine.apply(.timerFired(Self.id(.preBoundary, boundary)), now: boundary - 300)
        #expect(pre == [.flush(UsageFlush(key: key("si_usage", Self.first.start, .preBoundary), period: Self.first))])
        #expect(machine.periodState("si_usage", Self.first.start) == .closing)
        #expect(machine.periodState("si_base", Self.first.start) == .open, "nothing to flush on a licensed item")
        #expect(machine.state.timers == [BillingTimer(kind: .finalFlush, boundary: boundary, fireAt: boundary - 10)])
        // Fired already: no longer armed.
        #expect(machine.apply(.timerFired(Self.id(.preBoundary, boundary)), now: boundary - 200).isEmpty)

        let final = machine.apply(.timerFired(Self.id(.finalFlush, boundary)), now: boundary - 10)
        #expect(final == [.flush(UsageFlush(key: key("si_usage", Self.first.start, .final), period: Self.first))])
        #expect(machine.state.timers.isEmpty)
        #expect(machine.state.emittedFlushKeys == [key("si_usage", Self.first.start, .preBoundary), key("si_usage", Self.first.start, .final)])
    }

    @Test(arguments: APIShape.allCases)
    func earlyOrUnknownTimersDoNothing(shape: APIShape) throws {
        var machine = try created(shape)
        let boundary = Self.first.end
        let state = machine.state
        #expect(machine.apply(.timerFired(Self.id(.preBoundary, boundary)), now: boundary - 301).isEmpty, "early")
        #expect(machine.apply(.timerFired(Self.id(.preBoundary, boundary + 1)), now: boundary).isEmpty, "unknown boundary")
        #expect(machine.state == state)
    }

    @Test(arguments: APIShape.allCases)
    func finalTimerFlushIsNotRepeatedByTheDeletionAtTheBoundary(shape: APIShape) throws {
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 20 * Story.day) { $0.cancelAtPeriodEnd = true }
        story.update(EventType.subscriptionDeleted, at: Self.first.end) {
            $0.status = "canceled"
            $0.endedAt = Self.first.end
        }
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0...1], now: 0)
        _ = machine.apply(.timerFired(Self.id(.finalFlush, Self.first.end)), now: Self.first.end - 10)
        let deleted = machine.apply(inputs[2], now: 0)
        #expect(deleted.flushKeys == [key("si_usage", Self.first.start, .lastChance)])
        #expect(deleted.cancelledTimers == [Self.id(.preBoundary, Self.first.end)])
        // The final flush of the deletion was the timer's: its confirmation locks the period.
        #expect(machine.apply(.finalFlushConfirmed(itemID: "si_usage", periodStart: Self.first.start), now: 0).locked.count == 1)
    }

    @Test(arguments: APIShape.allCases)
    func timerFinalFlushConfirmationBeforeTheBoundaryLocksNothing(shape: APIShape) throws {
        var machine = try created(shape)
        _ = machine.apply(.timerFired(Self.id(.finalFlush, Self.first.end)), now: Self.first.end)
        #expect(machine.apply(.finalFlushConfirmed(itemID: "si_usage", periodStart: Self.first.start), now: 0).isEmpty)
        #expect(machine.periodState("si_usage", Self.first.start) == .closing)
    }

    @Test(arguments: APIShape.allCases)
    func movedBoundaryReArmsTheTimers(shape: APIShape) throws {
        // A trial extension moves the current period's end.
        let newEnd = Self.first.end + 7 * Story.day
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 2 * Story.day) { subscription in
            for index in subscription.items.indices { subscription.items[index].period.end = newEnd }
        }
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0], now: 0)
        let moved = machine.apply(inputs[1], now: 0)
        #expect(
            moved == [
                .cancelTimer(Self.id(.preBoundary, Self.first.end)), .cancelTimer(Self.id(.finalFlush, Self.first.end)),
                .scheduleTimer(Self.id(.preBoundary, newEnd), fireAt: newEnd - 300),
                .scheduleTimer(Self.id(.finalFlush, newEnd), fireAt: newEnd - 10),
            ]
        )
        #expect(machine.state.item(id: "si_usage")?.periods.map(\.end) == [newEnd])
        // The stale snapshot with the old end does not move it back.
        #expect(machine.apply(inputs[0], now: 0).isEmpty)
        #expect(machine.state.timers.map(\.boundary) == [newEnd, newEnd])
    }

    @Test(arguments: APIShape.allCases)
    func configuredLeadAndMarginSetTheFireTimes(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        var machine = BillingStateMachine.test(BillingMachineConfiguration(boundaryLead: 900, finalFlushMargin: 30))
        _ = machine.apply(try story.inputs(), now: 0)
        #expect(machine.state.timers.map(\.fireAt) == [Self.first.end - 900, Self.first.end - 30])
    }

    @Test(arguments: APIShape.allCases)
    func licensedOnlySubscriptionsNeedNoTimers(shape: APIShape) throws {
        let machine = try created(shape, usage: TestPrice.licensed("price_seat", product: "prod_seat"))
        #expect(machine.state.timers.isEmpty)
    }

    @Test func timerIDsRoundTripThroughTheirText() {
        let id = Self.id(.finalFlush, 1_748_736_000)
        #expect(id.description == "sub_test/finalFlush/1748736000")
        #expect(BillingTimerID(id.description) == id)
        for invalid in ["", "sub_test/finalFlush", "sub_test/later/1", "sub_test/preBoundary/x", "/preBoundary/1", "a/preBoundary/1/2"] {
            #expect(BillingTimerID(invalid) == nil, "\(invalid)")
        }
    }
}
