import BillingCore

/// A subscription's persisted state machine state (opaque bytes to the store: the processor encodes it).
public struct SubscriptionRecord: Hashable, Sendable {
    public var id: String
    public var customerID: String?
    /// When it last changed.
    public var updatedAt: UnixTime
    public var state: [UInt8]

    public init(id: String, customerID: String?, updatedAt: UnixTime, state: [UInt8]) {
        self.id = id
        self.customerID = customerID
        self.updatedAt = updatedAt
        self.state = state
    }
}

/// A timer derived from a subscription's state: when it fires, the scheduler feeds it back to the state machine.
public struct TimerRecord: Hashable, Sendable {
    /// Deterministic, so re-deriving the same timer never duplicates it.
    public var id: String
    public var subscriptionID: String
    public var kind: String
    /// Unix seconds.
    public var fireAt: Int64

    public init(id: String, subscriptionID: String, kind: String, fireAt: Int64) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.kind = kind
        self.fireAt = fireAt
    }
}

/// A side effect committed together with the state change that decided it (the transactional outbox).
public struct OutboxAction: Hashable, Sendable {
    /// Assigned by the store; commit order.
    public var seq: Int64
    public var subscriptionID: String
    /// The event that caused it, if an event did (timers cause actions too).
    public var eventID: String?
    /// The action itself, or why its stored payload cannot be read (the reporter then gives it up with that reason).
    public var action: Result<BillingAction, OutboxPayloadError>
    /// The action's `kind` column (`flush`, `switch_mode`, …), for queries and metrics.
    public var kind: String
    public var createdAt: UnixTime
    public var status: Status
    public var attempts: Int
    public var lastError: String?

    /// Where an action is: waiting to be carried out, done, or given up with its error.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        case pending, done, dead
    }

    /// A new action to commit.
    public init(subscriptionID: String, eventID: String?, action: BillingAction, createdAt: UnixTime) {
        self.init(
            seq: 0, subscriptionID: subscriptionID, eventID: eventID, action: .success(action), kind: action.kind, createdAt: createdAt,
            status: .pending, attempts: 0, lastError: nil
        )
    }

    /// A stored action.
    public init(
        seq: Int64, subscriptionID: String, eventID: String?, action: Result<BillingAction, OutboxPayloadError>, kind: String, createdAt: UnixTime,
        status: Status, attempts: Int, lastError: String?
    ) {
        self.seq = seq
        self.subscriptionID = subscriptionID
        self.eventID = eventID
        self.action = action
        self.kind = kind
        self.createdAt = createdAt
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
    }

    /// The bytes the store writes for a new action (`OutboxPayload`); nil for a stored one that cannot be read.
    package var payload: [UInt8]? {
        guard case .success(let action) = action else { return nil }
        return OutboxPayload.encode(action)
    }
}

/// Everything one processing step writes, in one transaction: state, its timers, its actions, and the inbox statuses.
public struct BillingCommit: Sendable {
    /// The subscription's new state; nil when the step changed no subscription (events stored and ignored).
    public var subscription: SubscriptionRecord?
    /// The subscription's complete set of timers after the step (replaces the stored set).
    public var timers: [TimerRecord]
    public var actions: [OutboxAction]
    /// Inbox events this step applied (`processed`) or deliberately skipped (`ignored`).
    public var finishedEvents: [(id: String, status: EventStatus)]
    /// Timers this step consumed.
    public var firedTimerIDs: [String]
    /// When the step ran: the events' `processed_at`.
    public var at: UnixTime

    public init(
        subscription: SubscriptionRecord?, timers: [TimerRecord] = [], actions: [OutboxAction] = [],
        finishedEvents: [(id: String, status: EventStatus)] = [], firedTimerIDs: [String] = [], at: UnixTime
    ) {
        self.subscription = subscription
        self.timers = timers
        self.actions = actions
        self.finishedEvents = finishedEvents
        self.firedTimerIDs = firedTimerIDs
        self.at = at
    }
}

/// Derived billing state: subscriptions, timers and the action outbox. SQLite and PostgreSQL implement it.
public protocol BillingStateStore: Sendable {
    func subscription(id: String) async throws -> SubscriptionRecord?
    /// Every subscription, ordered by id (the `status` command).
    func subscriptions() async throws -> [SubscriptionRecord]
    func subscriptions(customerID: String) async throws -> [SubscriptionRecord]
    /// Writes `commit` atomically: the state, the timers, the actions and the inbox statuses, or none of them.
    func commit(_ commit: BillingCommit) async throws
    /// Writes `commit` only if the subscription's stored state is still `expected` (its bytes; nil: no row yet),
    /// else throws `BillingStateConflict` and writes nothing: the read-decide-write of one step cannot lose another
    /// writer's step (a second instance, a replay).
    func commit(_ commit: BillingCommit, ifStateIs expected: [UInt8]?) async throws
    /// Timers due at `now` (their `fireAt` is in Stripe's whole seconds), earliest first.
    func dueTimers(at now: UnixTime, limit: Int) async throws -> [TimerRecord]
    func timers(subscriptionID: String) async throws -> [TimerRecord]
    /// Actions waiting to be carried out, in commit order.
    func pendingActions(limit: Int) async throws -> [OutboxAction]
    func actions(subscriptionID: String) async throws -> [OutboxAction]
    /// Number of actions per status (every status present, zero included).
    func actionCounts() async throws -> [OutboxAction.Status: Int]
    /// Marks the actions a reporting round carried out as done, in one write.
    func markActionsDone(seqs: [Int64], at: UnixTime) async throws
    /// Records a failed attempt; `dead` with the error once attempts reach `maxAttempts`.
    func markActionFailed(seq: Int64, error: String, maxAttempts: Int) async throws
    /// Deletes all derived state (subscriptions, timers, actions not yet done) so it can be rebuilt from the inbox.
    func discardDerivedState() async throws
}

/// The subscription's stored state changed between reading it and committing on top of it (another instance, or a
/// replay beside a running `serve`, committed in between): read it again and re-apply.
public struct BillingStateConflict: Error, Hashable, Sendable, CustomStringConvertible {
    public var subscriptionID: String

    public init(subscriptionID: String) {
        self.subscriptionID = subscriptionID
    }

    public var description: String {
        "The stored state of \(subscriptionID) changed while it was being worked on (another instance or a replay committed first)"
    }
}
