/// What one subscription does with its inputs: the pure rules between the stored state and the commit that saves
/// the next one. The processor, the timer scheduler, the reporter's confirmations, `replay`, `replay --dry-run` and
/// `replay --rebuild` all run it; only `WorkflowOptions` tells them apart.
///
/// Decide, then act: the workflow returns the new state, its armed timers, the outbox actions and each event's
/// outcome; its caller commits them in one transaction and carries out the actions only after the commit.
public struct SubscriptionWorkflow: Sendable {
    private var machine: BillingStateMachine
    public let options: WorkflowOptions
    /// What had ended before the latest input: an input that ends the subscription or removes an item must see its
    /// final flush confirmed, even when that flush was emitted earlier (by the final-flush timer before the end).
    private var ended: EndedParts
    /// What the inputs applied since the last `takeOutput()` decided.
    public private(set) var output = WorkflowOutput()

    /// A workflow resuming from `state` (a fresh `SubscriptionState` for a subscription nothing is known about yet).
    public init(state: SubscriptionState, configuration: BillingMachineConfiguration, options: WorkflowOptions = .live) {
        machine = BillingStateMachine(state: state, configuration: configuration)
        self.options = options
        ended = EndedParts(state)
    }

    /// The state after every input applied so far.
    public var state: SubscriptionState { machine.state }

    /// Applies `inputs` in order to `state`: the whole decision of one step, for callers that commit it at once.
    public static func run(
        _ inputs: some Sequence<WorkflowInput>, to state: SubscriptionState, configuration: BillingMachineConfiguration,
        options: WorkflowOptions = .live, now: UnixTime
    ) -> (state: SubscriptionState, output: WorkflowOutput) {
        var workflow = SubscriptionWorkflow(state: state, configuration: configuration, options: options)
        for input in inputs { workflow.apply(input, now: now) }
        return (workflow.state, workflow.output)
    }

    /// Applies one input. The machine only uses `now` to ignore a timer that fires early.
    public mutating func apply(_ input: WorkflowInput, now time: UnixTime) {
        // The machine keeps Stripe's timestamps, whole unix seconds: the one place the workflow's time becomes them.
        let now = time.seconds
        switch input {
        case .event(let id, let created, let decoded):
            // Decided before the timers fire: the reporter confirmed by what it knew before the event arrived.
            let confirms = options.confirmsFinalFlushes(of: machine.state)
            if options.firesTimersDueBeforeEvents { fireTimers(dueBy: created, confirms: confirms) }
            switch decoded {
            case .input(let event):
                step(event, eventID: id, now: now, confirms: confirms)
                output.events.append(EventResult(eventID: id, outcome: .processed))
            case .ignored:
                output.events.append(EventResult(eventID: id, outcome: .ignored))
            case .failed(let reason):
                output.events.append(EventResult(eventID: id, outcome: .failed(reason: reason)))
            }
        case .timer(let text):
            output.firedTimers.append(text)
            // A timer whose id no longer parses (written by an older release) is consumed with nothing to apply.
            guard let id = BillingTimerID(text) else { return }
            step(.timerFired(id), eventID: nil, now: now, confirms: options.confirmsFinalFlushes(of: machine.state))
        case .finalFlushConfirmed(let itemID, let periodStart):
            step(.finalFlushConfirmed(itemID: itemID, periodStart: periodStart), eventID: nil, now: now, confirms: false)
        }
    }

    /// Fires, earliest first, every armed timer due by `time`, as the scheduler would have; each fires at its own time.
    public mutating func fireTimers(dueBy time: UnixTime) {
        fireTimers(dueBy: time.seconds, confirms: options.confirmsFinalFlushes(of: machine.state))
    }

    /// `time` in unix seconds, as the timers' `fireAt` and the events' `created` are.
    private mutating func fireTimers(dueBy time: Int64, confirms: Bool) {
        var fired = Set<BillingTimerID>()
        let subscriptionID = machine.state.subscriptionID
        while let timer = machine.state.timers.first(where: { $0.fireAt <= time && !fired.contains($0.id(subscriptionID: subscriptionID)) }) {
            let id = timer.id(subscriptionID: subscriptionID)
            fired.insert(id)
            output.firedTimers.append(id.description)
            step(.timerFired(id), eventID: nil, now: timer.fireAt, confirms: confirms)
        }
    }

    /// Hands over what was decided since the last call and starts a new output (a rebuild drains it page by page).
    public mutating func takeOutput() -> WorkflowOutput {
        defer { output = WorkflowOutput() }
        return output
    }

    /// One input through the machine, with what the workflow adds to it: the final flushes the input asks to have
    /// confirmed, and, when `confirms` (the options, for this subscription), their confirmation.
    private mutating func step(_ input: BillingInput, eventID: String?, now: Int64, confirms: Bool) {
        let produced = machine.apply(input, now: now)
        record(produced, eventID: eventID)
        let awaiting = finalFlushesEndedByLatestInput()
        output.finalFlushesAwaitingConfirmation += awaiting
        record(awaiting.map(BillingAction.flush), eventID: nil)
        guard confirms else { return }
        let finals = produced.compactMap { action -> UsageFlush? in
            guard case .flush(let flush) = action, flush.reason == .final else { return nil }
            return flush
        }
        for flush in finals + awaiting {
            let confirmation = machine.apply(.finalFlushConfirmed(itemID: flush.itemID, periodStart: flush.key.periodStart), now: now)
            if confirmation.contains(where: { if case .lockPeriod = $0 { true } else { false } }) { output.finalFlushesConfirmed += 1 }
            record(confirmation, eventID: nil)
        }
    }

    private mutating func record(_ actions: [BillingAction], eventID: String?) {
        output.actions += actions.map { WorkflowAction(action: $0, eventID: eventID) }
    }

    /// The final flushes of what the latest input ended: for each item it removed (or every item, when it ended the
    /// subscription), the last period's final flush, once emitted and while the period is `ended`.
    private mutating func finalFlushesEndedByLatestInput() -> [UsageFlush] {
        let current = EndedParts(machine.state)
        defer { ended = current }
        guard current != ended else { return [] }
        let state = machine.state
        return state.items.compactMap { item -> UsageFlush? in
            guard current.endedWithout(ended, item: item.id), let last = item.periods.last, last.flushed.contains(.final), last.state == .ended
            else { return nil }
            let key = FlushKey(subscriptionID: state.subscriptionID, itemID: item.id, periodStart: last.start, reason: .final)
            return UsageFlush(key: key, period: BillingPeriod(start: last.start, end: last.end))
        }
    }
}

/// What of a subscription is over: the subscription itself, and its removed items.
struct EndedParts: Equatable {
    var subscription: Bool
    var removedItems: Set<String>

    init(_ state: SubscriptionState) {
        subscription = state.hasEnded
        removedItems = state.items.contains(where: \.isRemoved) ? Set(state.items.filter(\.isRemoved).map(\.id)) : []
    }

    /// Whether `item` is over now but was not in `before` (the whole subscription counts for every item).
    func endedWithout(_ before: EndedParts, item: String) -> Bool {
        (subscription && !before.subscription) || (removedItems.contains(item) && !before.removedItems.contains(item))
    }
}
