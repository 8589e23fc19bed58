import BillingCore
import BillingStore

extension BillingStateStore {
    /// Runs `SubscriptionWorkflow` over `inputs` on the subscription's stored state and commits what it decided, only on
    /// top of the state it read: a replay beside `serve`, or another instance whose lease lapsed, may have committed
    /// since. Then nothing is written and `BillingStateConflict` is thrown, so the caller applies the inputs afresh.
    func runWorkflow(
        _ inputs: [WorkflowInput], subscriptionID: String, configuration: BillingMachineConfiguration, now: UnixTime
    ) async throws -> WorkflowOutput {
        let stored = try await subscription(id: subscriptionID)
        let before = try stored.map(SubscriptionStateCodec.decode) ?? SubscriptionState(subscriptionID: subscriptionID)
        let (state, output) = SubscriptionWorkflow.run(inputs, to: before, configuration: configuration, now: now)
        try await commit(try BillingCommit(saving: state, output, at: now), ifStateIs: stored?.state)
        return output
    }
}

extension BillingCommit {
    /// The commit that saves a workflow's decision: the new state with its armed timers, the outbox actions, the
    /// statuses of the events it processed or ignored and the timers it consumed. Failed events are not in it: their
    /// caller records each failure with its backoff.
    init(saving state: SubscriptionState, _ output: WorkflowOutput, at now: UnixTime) throws {
        self.init(
            subscription: try SubscriptionStateCodec.record(state, at: now),
            timers: SubscriptionStateCodec.timers(state),
            actions: output.outbox.map { OutboxAction(subscriptionID: state.subscriptionID, eventID: $0.eventID, action: $0.action, createdAt: now) },
            finishedEvents: output.events.compactMap { result in EventStatus(finished: result.outcome).map { (result.eventID, $0) } },
            firedTimerIDs: output.firedTimers,
            at: now
        )
    }

    /// The commit that finishes events naming no subscription (`EventOutcome.withoutSubscription`).
    init(finishingUnrouted events: [(id: String, type: String)], at now: UnixTime) {
        let finished = events.map { event in (id: event.id, status: EventStatus(finished: .withoutSubscription(type: event.type)) ?? .ignored) }
        self.init(subscription: nil, finishedEvents: finished, at: now)
    }
}

extension EventStatus {
    /// The inbox status an outcome finishes an event with; nil for a failure, which the inbox records with its retry.
    init?(finished outcome: EventOutcome) {
        switch outcome {
        case .processed: self = .processed
        case .ignored: self = .ignored
        case .failed: return nil
        }
    }
}

extension WorkflowInput {
    /// A stored event as the workflow's input.
    init(_ stored: StoredEvent) {
        self = .event(id: stored.id, created: stored.created, DecodedEvent.decode(type: stored.type, payload: stored.event.payload))
    }
}

extension WorkflowOutput {
    /// The events that failed, with their reasons.
    var failures: [(eventID: String, reason: String)] {
        events.compactMap { result in
            guard case .failed(let reason) = result.outcome else { return nil }
            return (result.eventID, reason)
        }
    }
}
