import BillingCore
import StripeEventBuilders
import Testing

/// Cancellation at period end, deletion, immediate cancellation, pause and resume.
struct StateMachineCancellationTests {
    static let first = period(Story.start, Story.start + Story.month)

    @Test(arguments: APIShape.allCases)
    func cancelAtPeriodEndKeepsThePeriodEndTimers(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 20 * Story.day) {
            $0.cancelAtPeriodEnd = true
            $0.cancelAt = Self.first.end
            $0.canceledAt = Story.start + 20 * Story.day
        }
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0], now: 0)
        let timers = machine.state.timers
        #expect(machine.apply(inputs[1], now: 0).isEmpty, "cancel_at is the period end: the timers are armed already")
        #expect(machine.state.cancelAtPeriodEnd)
        #expect(machine.state.cancelAt == Self.first.end)
        #expect(machine.state.timers == timers)
        #expect(machine.state.timers.map(\.boundary) == [Self.first.end, Self.first.end])
    }

    @Test(arguments: APIShape.allCases)
    func cancelAtInsideThePeriodAddsTimersForIt(shape: APIShape) throws {
        let cancelAt = Story.start + 25 * Story.day
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 20 * Story.day) { $0.cancelAt = cancelAt }
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0], now: 0)
        let actions = machine.apply(inputs[1], now: 0)
        #expect(
            actions == [
                .scheduleTimer(BillingTimerID(subscriptionID: Story.subscriptionID, kind: .preBoundary, boundary: cancelAt), fireAt: cancelAt - 300),
                .scheduleTimer(BillingTimerID(subscriptionID: Story.subscriptionID, kind: .finalFlush, boundary: cancelAt), fireAt: cancelAt - 10),
            ]
        )
    }

    @Test(arguments: APIShape.allCases, [ReportingMode.legacy, .meter])
    func deletionFlushesEveryOpenPeriodAndConfirmationLocksIt(shape: APIShape, mode: ReportingMode) throws {
        var story = Story(shape: shape, usage: mode == .legacy ? Story.legacy : Story.meter)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 20 * Story.day) {
            $0.cancelAtPeriodEnd = true
            $0.cancelAt = Self.first.end
        }
        story.update(EventType.subscriptionDeleted, at: Self.first.end + 1) {
            $0.status = "canceled"
            $0.endedAt = Self.first.end
        }
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0...1], now: 0)
        let deleted = machine.apply(inputs[2], now: 0)
        #expect(Set(deleted.flushKeys) == [key("si_usage", Self.first.start, .lastChance), key("si_usage", Self.first.start, .final)])
        #expect(deleted.cancelledTimers.count == 2)
        #expect(deleted.carries.isEmpty, "nothing comes after the last period")
        #expect(machine.state.timers.isEmpty)
        #expect(machine.state.status == .canceled)
        #expect(machine.state.endedAt == Self.first.end)
        #expect(machine.periodState("si_usage", Self.first.start) == .ended)
        #expect(machine.periodState("si_base", Self.first.start) == .ended)

        let confirmed = machine.apply(.finalFlushConfirmed(itemID: "si_usage", periodStart: Self.first.start), now: 0)
        #expect(confirmed == [.lockPeriod(ItemPeriod(itemID: "si_usage", period: Self.first))])
        #expect(machine.periodState("si_usage", Self.first.start) == .locked)
        #expect(machine.apply(.finalFlushConfirmed(itemID: "si_usage", periodStart: Self.first.start), now: 0).isEmpty, "duplicate")
        #expect(machine.apply(.finalFlushConfirmed(itemID: "si_base", periodStart: Self.first.start), now: 0).isEmpty, "never flushed")
        #expect(machine.apply(.finalFlushConfirmed(itemID: "si_gone", periodStart: 1), now: 0).isEmpty, "unknown")
    }

    @Test(arguments: APIShape.allCases)
    func immediateCancellationEndsThePeriodAtEndedAt(shape: APIShape) throws {
        let endedAt = Story.start + 9 * Story.day
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.update(EventType.subscriptionDeleted, at: endedAt) {
            $0.status = "canceled"
            $0.endedAt = endedAt
            $0.canceledAt = endedAt
        }
        var machine = BillingStateMachine.test()
        let actions = machine.apply(try story.inputs(), now: 0)
        let final = try #require(actions.flushes.first { $0.reason == .final })
        #expect(final.period == period(Self.first.start, endedAt))
        #expect(machine.state.effectivePeriod(itemID: "si_usage", start: Self.first.start) == period(Self.first.start, endedAt))
    }

    @Test(arguments: APIShape.allCases)
    func deletionFixtureWithoutEndedAtUsesCanceledAt(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(EventType.subscriptionDeleted, at: Story.start + 3 * Story.day) {
            $0.status = "canceled"
            $0.canceledAt = Story.start + 2 * Story.day
        }
        var machine = BillingStateMachine.test()
        _ = machine.apply(try story.inputs(), now: 0)
        #expect(machine.state.endedAt == Story.start + 2 * Story.day)
        #expect(machine.state.timers.isEmpty)
    }

    @Test(arguments: APIShape.allCases)
    func pauseAndResumeOnlyRecordTheStatus(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(EventType.subscriptionPaused, at: Story.start + 3 * Story.day) { $0.status = "paused" }
        story.update(EventType.subscriptionResumed, at: Story.start + 5 * Story.day) { $0.status = "active" }
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0], now: 0)
        func periods() -> [String] {
            machine.state.items.flatMap { item in item.periods.map { "\(item.id) \($0.reported) \($0.state) \($0.flushed.rawValue)" } }
        }
        let before = periods()
        #expect(machine.apply(inputs[1], now: 0).isEmpty)
        #expect(machine.state.status == .paused)
        #expect(periods() == before)
        #expect(machine.apply(inputs[2], now: 0).isEmpty)
        #expect(machine.state.status == .active)
        #expect(machine.state.timers.count == 2)
    }
}
