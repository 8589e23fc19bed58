import BillingCore
import BillingStore
import Logging

/// One subscription's inputs applied in order to its stored state, producing the commit that saves the result.
///
/// Decide, then act: this runs the pure machine and builds the commit; the caller commits it, and only
/// after the commit are the outbox actions carried out.
struct SubscriptionStep {
    private(set) var machine: BillingStateMachine
    private(set) var actions: [OutboxAction] = []
    private(set) var finished: [(id: String, status: EventStatus)] = []
    private(set) var failed: [(event: StoredEvent, error: String)] = []
    private(set) var firedTimers: [String] = []
    let nowMs: Int64
    /// What had ended before this step: a step that ends the subscription or removes an item must see its final
    /// flush confirmed, even when that flush was emitted earlier (by the final-flush timer before the end).
    private let endedBefore: Set<String>

    init(subscriptionID: String, stored: SubscriptionRecord?, configuration: BillingMachineConfiguration, nowMs: Int64) throws {
        let state = try stored.map(SubscriptionStateCodec.decode) ?? SubscriptionState(subscriptionID: subscriptionID)
        machine = BillingStateMachine(state: state, configuration: configuration)
        self.nowMs = nowMs
        endedBefore = Self.ended(state)
    }

    // The subscription (as "") and the items that are over.
    private static func ended(_ state: SubscriptionState) -> Set<String> {
        Set(state.items.filter(\.isRemoved).map(\.id) + (state.hasEnded ? [""] : []))
    }

    /// Applies one stored event: decoded, mapped to an input and applied, or recorded as failed with the reason.
    mutating func apply(_ stored: StoredEvent) {
        let input: BillingInput?
        do {
            input = try BillingInput(event: StripeEvent(parsing: stored.event.payload))
        } catch {
            failed.append((stored, error.description))
            return
        }
        guard let input else {
            // A type the state machine does not react to: stored for replay, nothing to do.
            finished.append((stored.id, .ignored))
            return
        }
        record(machine.apply(input, now: nowMs / 1000), eventID: stored.id)
        finished.append((stored.id, .processed))
    }

    /// Applies a due timer.
    mutating func fire(_ timer: TimerRecord) {
        firedTimers.append(timer.id)
        guard let id = BillingTimerID(timer.id) else { return }
        record(machine.apply(.timerFired(id), now: nowMs / 1000), eventID: nil)
    }

    /// Tells the machine that an item's final flush reached Stripe.
    mutating func confirmFinalFlush(itemID: String, periodStart: Int64) {
        record(machine.apply(.finalFlushConfirmed(itemID: itemID, periodStart: periodStart), now: nowMs / 1000), eventID: nil)
    }

    private mutating func record(_ produced: [BillingAction], eventID: String?) {
        let subscriptionID = machine.state.subscriptionID
        actions += produced.compactMap { ActionRecord($0)?.outbox(subscriptionID: subscriptionID, eventID: eventID, at: nowMs) }
    }

    /// Final flushes that ended with this step and wait for confirmation, as flush actions for the reporter.
    private func finalFlushesToConfirm() -> [OutboxAction] {
        let state = machine.state
        let endedNow = Self.ended(state).subtracting(endedBefore)
        guard !endedNow.isEmpty else { return [] }
        return state.items.compactMap { item -> OutboxAction? in
            guard endedNow.contains("") || endedNow.contains(item.id), let last = item.periods.last,
                last.flushed.contains(.final), last.state == .ended
            else { return nil }
            let key = FlushKey(subscriptionID: state.subscriptionID, itemID: item.id, periodStart: last.start, reason: .final)
            return ActionRecord(.flush(UsageFlush(key: key, period: BillingPeriod(start: last.start, end: last.end))))?
                .outbox(subscriptionID: state.subscriptionID, eventID: nil, at: nowMs)
        }
    }

    /// The commit that saves the state, its timers, its actions and the inbox statuses together.
    func commit() throws -> BillingCommit {
        BillingCommit(
            subscription: try SubscriptionStateCodec.record(machine.state, at: nowMs),
            timers: SubscriptionStateCodec.timers(machine.state),
            actions: actions + finalFlushesToConfirm(),
            finishedEvents: finished,
            firedTimerIDs: firedTimers,
            at: nowMs
        )
    }
}
