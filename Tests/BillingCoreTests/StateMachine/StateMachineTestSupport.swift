import BillingCore
import Testing

extension Array where Element == BillingAction {
    var flushes: [UsageFlush] {
        compactMap { if case .flush(let flush) = $0 { return flush } else { return nil } }
    }

    var flushKeys: [FlushKey] { flushes.map(\.key) }

    var opened: [ItemPeriod] {
        compactMap { if case .openPeriod(let period) = $0 { return period } else { return nil } }
    }

    var locked: [ItemPeriod] {
        compactMap { if case .lockPeriod(let period) = $0 { return period } else { return nil } }
    }

    var carries: [UsageCarry] {
        compactMap { if case .carryUsage(let carry) = $0 { return carry } else { return nil } }
    }

    var switches: [ModeSwitch] {
        compactMap { if case .switchMode(let change) = $0 { return change } else { return nil } }
    }

    var rereports: [ItemPeriod] { rereportRequests.map(\.itemPeriod) }

    var rereportRequests: [Rereport] {
        compactMap { if case .rereport(let rereport) = $0 { return rereport } else { return nil } }
    }

    var scheduledTimers: [BillingTimerID] {
        compactMap { if case .scheduleTimer(let id, _) = $0 { return id } else { return nil } }
    }

    var cancelledTimers: [BillingTimerID] {
        compactMap { if case .cancelTimer(let id) = $0 { return id } else { return nil } }
    }
}

extension BillingStateMachine {
    /// The test machine of the story subscription.
    static func test(_ configuration: BillingMachineConfiguration = .default) -> BillingStateMachine {
        BillingStateMachine(subscriptionID: Story.subscriptionID, configuration: configuration)
    }

    /// The state of `itemID`'s period starting at `start`.
    func periodState(_ itemID: String, _ start: Int64) -> PeriodState? {
        state.item(id: itemID)?.period(startingAt: start)?.state
    }
}

/// The result of applying a sequence of inputs to a fresh machine.
struct MachineOutcome: Equatable {
    var state: SubscriptionState
    /// Every flush key emitted over the run.
    var flushKeys: Set<FlushKey>
    /// Keys emitted more than once over the run (must stay empty).
    var repeatedKeys: [FlushKey]

    /// Applies `inputs` in order to a fresh machine, and through the workflow the services run, which must decide the
    /// same: so every property checked of the outcome holds of the workflow too.
    static func run(_ inputs: some Sequence<BillingInput>, configuration: BillingMachineConfiguration = .default) -> MachineOutcome {
        var machine = BillingStateMachine.test(configuration)
        var workflow = SubscriptionWorkflow(state: machine.state, configuration: configuration)
        var keys = Set<FlushKey>()
        var repeated: [FlushKey] = []
        for input in inputs {
            for key in machine.apply(input, now: 0).flushKeys where !keys.insert(key).inserted {
                repeated.append(key)
            }
            workflow.apply(WorkflowInput(input), now: .epoch)
        }
        #expect(workflow.state == machine.state, "the workflow's state is the machine's")
        // The outbox repeats a key only for a final flush awaiting confirmation.
        var outboxKeys = workflow.output.outbox.map(\.action).flushKeys
        for awaiting in workflow.output.finalFlushesAwaitingConfirmation {
            guard let index = outboxKeys.lastIndex(of: awaiting.key) else {
                Issue.record("a final flush awaits confirmation without its flush in the outbox: \(awaiting.key)")
                continue
            }
            outboxKeys.remove(at: index)
        }
        #expect(Set(outboxKeys) == keys && outboxKeys.count == keys.count + repeated.count, "the workflow's flushes are the machine's")
        return MachineOutcome(state: machine.state, flushKeys: keys, repeatedKeys: repeated)
    }
}

extension WorkflowInput {
    /// The workflow's input for a machine input: events as stored events, timers and confirmations as the services
    /// feed them.
    init(_ input: BillingInput) {
        switch input {
        case .timerFired(let id): self = .timer(id: id.description)
        case .finalFlushConfirmed(let itemID, let periodStart): self = .finalFlushConfirmed(itemID: itemID, periodStart: periodStart)
        default: self = .event(id: input.eventID ?? "", created: created(input), .input(input))
        }
    }
}

/// The key of a flush of the story subscription.
func key(_ itemID: String, _ start: Int64, _ reason: FlushReason) -> FlushKey {
    FlushKey(subscriptionID: Story.subscriptionID, itemID: itemID, periodStart: start, reason: reason)
}

/// The period `[start, end)`.
func period(_ start: Int64, _ end: Int64) -> BillingPeriod {
    BillingPeriod(start: start, end: end)
}
