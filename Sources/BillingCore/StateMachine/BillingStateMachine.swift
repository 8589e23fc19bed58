/// The billing state machine of one subscription: pure (no I/O, no clock reads), fed one input at
/// a time, returning the actions the processor carries out after the new state is committed.
///
/// Inputs are facts merged so that any delivery order of the same events ends in the same state
/// and the same set of flush keys (docs/state-machine.md has the transition table and the argument).
public struct BillingStateMachine: Sendable {
    /// The state to persist after each input (internal setter: the `+Concern` files update it).
    public internal(set) var state: SubscriptionState
    public let configuration: BillingMachineConfiguration

    /// A machine for a subscription nothing is known about yet.
    public init(subscriptionID: String, configuration: BillingMachineConfiguration = .default) {
        self.init(state: SubscriptionState(subscriptionID: subscriptionID), configuration: configuration)
    }

    /// A machine resuming from persisted state.
    public init(state: SubscriptionState, configuration: BillingMachineConfiguration = .default) {
        self.state = state
        self.configuration = configuration
    }

    /// Applies one input. `now` (unix seconds) is only used to ignore a timer that fires early; the
    /// state never depends on it, so replays are deterministic.
    public mutating func apply(_ input: BillingInput, now: Int64) -> [BillingAction] {
        var actions: [BillingAction] = []
        var firedTimer: BillingTimerID?
        switch input {
        case .subscriptionCreated(let snapshot), .subscriptionUpdated(let snapshot), .subscriptionPendingUpdateApplied(let snapshot):
            // Each carries the full snapshot; the event type adds nothing the snapshot does not say.
            guard mergeSubscription(snapshot, into: &actions) else { return [] }
        case .subscriptionPaused(let snapshot), .subscriptionResumed(let snapshot):
            // Pause and resume only change `status` (recorded from the snapshot); periods and flushes
            // change only as far as the snapshot itself shows.
            guard mergeSubscription(snapshot, into: &actions) else { return [] }
        case .subscriptionDeleted(let snapshot):
            // The snapshot says `canceled` and `ended_at`: settling it ends every period at
            // `ended_at` and emits the final flushes; confirmation of those locks the periods.
            guard mergeSubscription(snapshot, into: &actions) else { return [] }
        case .invoiceUpcoming:
            // Informational: the invoice does not exist yet (no id) and closes nothing; the period-end
            // timers already prepare the boundary it announces.
            return []
        case .invoiceCreated(let snapshot):
            guard mergeInvoice(snapshot, stage: .draft) else { return [] }
        case .invoiceFinalized(let snapshot), .invoicePaymentFailed(let snapshot):
            // A payment attempt (failed or not) happens only on a finalized invoice.
            guard mergeInvoice(snapshot, stage: .open) else { return [] }
        case .invoicePaid(let snapshot):
            guard mergeInvoice(snapshot, stage: .paid) else { return [] }
        case .invoiceVoided(let snapshot):
            guard mergeInvoice(snapshot, stage: .void) else { return [] }
        case .invoiceMarkedUncollectible(let snapshot):
            guard mergeInvoice(snapshot, stage: .uncollectible) else { return [] }
        case .scheduleCreated(let snapshot), .scheduleUpdated(let snapshot), .scheduleExpiring(let snapshot):
            // `expiring` is a reminder that the last phase ends soon; its snapshot is merged like any other.
            guard mergeSchedule(snapshot, finished: false) else { return [] }
        case .scheduleReleased(let snapshot), .scheduleCanceled(let snapshot), .scheduleCompleted(let snapshot),
            .scheduleAborted(let snapshot):
            // The schedule plans nothing any more: its transitions, timers and shadow meters go.
            guard mergeSchedule(snapshot, finished: true) else { return [] }
        case .meterErrorReportTriggered(let report):
            // Touches no period: record and surface it, nothing to settle.
            return recordMeterError(report)
        case .timerFired(let id):
            guard fireTimer(id, now: now, into: &actions) else { return [] }
            firedTimer = id
        case .finalFlushConfirmed(let itemID, let periodStart):
            guard confirmFinalFlush(itemID: itemID, periodStart: periodStart, into: &actions) else { return [] }
        }
        settle(into: &actions, firedTimer: firedTimer)
        return actions
    }

    /// Applies inputs in order, returning all their actions (replays, tests).
    public mutating func apply(_ inputs: some Sequence<BillingInput>, now: Int64) -> [BillingAction] {
        var actions: [BillingAction] = []
        for input in inputs {
            actions += apply(input, now: now)
        }
        return actions
    }

    /// Brings everything derived up to date with the facts just merged: pruning, period states and
    /// their obligations, timers, shadow meters.
    mutating func settle(into actions: inout [BillingAction], firedTimer: BillingTimerID?) {
        // Pruning first: a late fact about pruned history must not re-emit its obligations.
        pruneHistory()
        advancePeriods(into: &actions)
        refreshTimers(into: &actions, firedTimer: firedTimer)
        refreshShadowMeters(into: &actions)
    }
}
