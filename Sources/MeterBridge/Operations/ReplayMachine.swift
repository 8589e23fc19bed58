import BillingCore
import BillingStore

/// An action a replay decided, with the event behind it (nil for timers and confirmations).
struct ProducedAction: Sendable {
    var action: BillingAction
    var eventID: String?
}

/// A stored event's bytes turned into the machine's input, off the applying task (decoding dominates a replay).
enum DecodedEvent: Sendable {
    case input(BillingInput)
    /// A type the state machine does not react to.
    case ignored
    case failed(String)

    /// Decodes as `SubscriptionStep.apply` does, with the same error text.
    static func decode(_ payload: [UInt8]) -> DecodedEvent {
        do {
            guard let input = try BillingInput(event: StripeEvent(parsing: payload)) else { return .ignored }
            return .input(input)
        } catch {
            return .failed(error.description)
        }
    }
}

/// One subscription's machine during a rebuild or a dry run: what the processor, the scheduler and the reporter feed
/// it live, in memory.
///
/// Live, three things feed a subscription's machine: its events (the processor), its timers when they fall due (the
/// scheduler), and the confirmation of a final flush once Stripe acknowledged it (the reporter). A rebuild has only the
/// events, so it plays the other two where they happened: the timers due by an event's `created` fire before it (as
/// the scheduler fired them before the event arrived), and a final flush is confirmed right after the step that asked
/// for it, unless the customer still has usage Stripe has not acknowledged (the reporter's own rule).
struct ReplayMachine {
    private(set) var machine: BillingStateMachine
    /// The subscription (as "") and the items over before the last input, as `SubscriptionStep` tracks them.
    private var ended: Set<String>
    private(set) var timersFired = 0
    private(set) var finalFlushesConfirmed = 0

    init(state: SubscriptionState, configuration: BillingMachineConfiguration) {
        machine = BillingStateMachine(state: state, configuration: configuration)
        ended = Self.ended(state)
    }

    var state: SubscriptionState { machine.state }

    /// Applies an event's input, or a timer's, and what the processor adds to it.
    mutating func apply(_ input: BillingInput, eventID: String?, now: Int64, confirmFinalFlushes: Bool) -> [ProducedAction] {
        var produced = machine.apply(input, now: now).map { ProducedAction(action: $0, eventID: eventID) }
        produced += finalFlushesToConfirm()
        ended = Self.ended(machine.state)
        if confirmFinalFlushes {
            for case .flush(let flush) in produced.map(\.action) where flush.reason == .final {
                let confirmation = machine.apply(.finalFlushConfirmed(itemID: flush.itemID, periodStart: flush.key.periodStart), now: now)
                if confirmation.contains(where: { if case .lockPeriod = $0 { true } else { false } }) { finalFlushesConfirmed += 1 }
                produced += confirmation.map { ProducedAction(action: $0, eventID: nil) }
            }
        }
        return produced
    }

    /// Fires, earliest first, every armed timer due by `time` (unix seconds), as the scheduler would have.
    mutating func fireTimers(dueBy time: Int64, confirmFinalFlushes: Bool) -> [ProducedAction] {
        var produced: [ProducedAction] = []
        var fired = Set<BillingTimerID>()
        let subscriptionID = machine.state.subscriptionID
        while let timer = machine.state.timers.first(where: { $0.fireAt <= time && !fired.contains($0.id(subscriptionID: subscriptionID)) }) {
            let id = timer.id(subscriptionID: subscriptionID)
            fired.insert(id)
            timersFired += 1
            produced += apply(.timerFired(id), eventID: nil, now: timer.fireAt, confirmFinalFlushes: confirmFinalFlushes)
        }
        return produced
    }

    // SubscriptionStep's rule: a step that ends the subscription or removes an item sends its final flush again as an
    // outbox action (even when a timer emitted it before), for the reporter to confirm.
    private func finalFlushesToConfirm() -> [ProducedAction] {
        let state = machine.state
        let endedNow = Self.ended(state).subtracting(ended)
        guard !endedNow.isEmpty else { return [] }
        return state.items.compactMap { item -> ProducedAction? in
            guard endedNow.contains("") || endedNow.contains(item.id), let last = item.periods.last,
                last.flushed.contains(.final), last.state == .ended
            else { return nil }
            let key = FlushKey(subscriptionID: state.subscriptionID, itemID: item.id, periodStart: last.start, reason: .final)
            return ProducedAction(action: .flush(UsageFlush(key: key, period: BillingPeriod(start: last.start, end: last.end))), eventID: nil)
        }
    }

    private static func ended(_ state: SubscriptionState) -> Set<String> {
        Set(state.items.filter(\.isRemoved).map(\.id) + (state.hasEnded ? [""] : []))
    }
}
