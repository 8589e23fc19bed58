import BillingCore

/// Processing status of a stored event (docs/billing-rules.md, the inbox).
public enum EventStatus: String, CaseIterable, Hashable, Sendable {
    /// Waiting for the processor.
    case pending
    /// Applied to the state machine.
    case processed
    /// Stored but not acted on (unknown type, irrelevant to billing).
    case ignored
    /// Processing failed; retried at `nextAttemptAt`.
    case failed
    /// Failed `maxAttempts` times; waits for an operator (replay) or a redelivery by Stripe.
    case dead
}

/// A verified webhook event to store, with the fields the store indexes pulled out of the payload.
public struct ReceivedEvent: Hashable, Sendable {
    public var id: String
    public var type: String
    public var apiVersion: String?
    /// Stripe's `created`, unix seconds.
    public var created: Int64
    public var livemode: Bool
    /// Connect account (`account`), if any.
    public var account: String?
    /// `data.object.object`, e.g. `subscription` or `invoice`.
    public var objectType: String?
    public var objectID: String?
    public var subscriptionID: String?
    public var customerID: String?
    /// The request body exactly as received (the signature covers these bytes).
    public var payload: [UInt8]
    /// The `Stripe-Signature` header.
    public var signature: String
    /// When meterbridge received it, unix milliseconds.
    public var receivedAt: Int64

    public init(
        id: String,
        type: String,
        apiVersion: String? = nil,
        created: Int64,
        livemode: Bool,
        account: String? = nil,
        objectType: String? = nil,
        objectID: String? = nil,
        subscriptionID: String? = nil,
        customerID: String? = nil,
        payload: [UInt8],
        signature: String,
        receivedAt: Int64
    ) {
        self.id = id
        self.type = type
        self.apiVersion = apiVersion
        self.created = created
        self.livemode = livemode
        self.account = account
        self.objectType = objectType
        self.objectID = objectID
        self.subscriptionID = subscriptionID
        self.customerID = customerID
        self.payload = payload
        self.signature = signature
        self.receivedAt = receivedAt
    }
}

/// A stored event with its processing state.
public struct StoredEvent: Hashable, Sendable {
    public var event: ReceivedEvent
    public var status: EventStatus
    /// Failed processing attempts so far.
    public var attempts: Int
    public var lastError: String?
    /// When a `pending` or `failed` event is due; nil once processed, ignored or dead.
    public var nextAttemptAt: UnixTime?
    /// When it was processed or ignored.
    public var processedAt: UnixTime?

    public init(event: ReceivedEvent, status: EventStatus, attempts: Int, lastError: String?, nextAttemptAt: UnixTime?, processedAt: UnixTime?) {
        self.event = event
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.processedAt = processedAt
    }

    public var id: String { event.id }
    public var type: String { event.type }
    public var created: Int64 { event.created }
}

extension Array where Element == StoredEvent {
    /// In Stripe's order: `created`, then id (Stripe's ids break ties within a second).
    public func sortedInStripeOrder() -> [StoredEvent] {
        sorted { ($0.created, $0.id) < ($1.created, $1.id) }
    }
}

/// What `InboxStore.store` did with an event.
public enum InboxInsertOutcome: Hashable, Sendable {
    /// New: stored as `pending`.
    case inserted
    /// Already stored; left as it was.
    case duplicate(status: EventStatus)
    /// Already stored as `failed` or `dead`: set back to `pending`, due now (its attempts are kept).
    case redriven

    /// Whether the event id was already stored (the webhook answers `"duplicate": true`).
    public var isDuplicate: Bool {
        switch self {
        case .inserted: return false
        case .duplicate, .redriven: return true
        }
    }
}

/// A position in `(created, id)` order, to page through events.
public struct EventCursor: Hashable, Sendable {
    public var created: Int64
    public var id: String

    public init(created: Int64, id: String) {
        self.created = created
        self.id = id
    }
}

/// Filters for listing stored events; empty filters match everything. Results are ordered by `created`, then `id`.
public struct EventQuery: Hashable, Sendable {
    /// Only these event ids (at most a few thousand per query).
    public var ids: [String]
    /// Only these types (`invoice.created`, ...).
    public var types: [String]
    public var statuses: [EventStatus]
    public var subscriptionID: String?
    /// `created >= since` (unix seconds).
    public var since: Int64?
    /// `created < until` (unix seconds).
    public var until: Int64?
    /// Only events after this position, for paging: pass the last event of the previous page.
    public var after: EventCursor?
    public var limit: Int?

    public init(
        ids: [String] = [],
        types: [String] = [],
        statuses: [EventStatus] = [],
        subscriptionID: String? = nil,
        since: Int64? = nil,
        until: Int64? = nil,
        after: EventCursor? = nil,
        limit: Int? = nil
    ) {
        self.ids = ids
        self.types = types
        self.statuses = statuses
        self.subscriptionID = subscriptionID
        self.since = since
        self.until = until
        self.after = after
        self.limit = limit
    }
}

/// An inbox operation that cannot proceed for a reason of the inbox itself (not of the storage).
public struct InboxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        /// No event with that id is stored.
        public static let unknownEvent = Code(name: "unknownEvent")
        /// The status is not allowed for this operation.
        public static let invalidStatus = Code(name: "invalidStatus")

        public var description: String { name }
    }

    public var code: Code
    public var eventID: String
    public var message: String

    public init(code: Code, eventID: String, message: String) {
        self.code = code
        self.eventID = eventID
        self.message = message
    }

    public var description: String { "InboxError(\(code)): \(message) (event \(eventID))" }
}

/// The durable inbox of verified Stripe events: dedupe on insert, processing status, queries for the CLI and monitor.
///
/// Implemented by `SQLiteDatabase`; a PostgreSQL store implements it too, and both pass the same tests.
public protocol InboxStore: Sendable {
    /// Stores `event` durably before returning (the webhook answers 2xx only after this). A duplicate id is not stored
    /// again; a duplicate of a `failed` or `dead` event re-drives it (`pending`, due at `event.receivedAt`).
    @discardableResult
    func store(_ event: ReceivedEvent) async throws -> InboxInsertOutcome

    /// The stored event with `id`, if any.
    func event(id: String) async throws -> StoredEvent?

    /// Stored events matching `query`, ordered by `created`, then `id`.
    func events(_ query: EventQuery) async throws -> [StoredEvent]

    /// Number of events per status (every status present, zero included).
    func counts() async throws -> [EventStatus: Int]

    /// `receivedAt` of the oldest event still `pending` or `failed`; nil when none is.
    func oldestUnprocessedReceivedAt() async throws -> UnixTime?

    /// Commits a real (tiny) write transaction; throws when the store cannot commit (readiness check).
    func checkWritable() async throws

    /// At most `limit` events that are `pending` or `failed` and due at `now`: those due first (a new event is due when
    /// received, a failed one at its retry time), returned in Stripe's order (`created`, then id).
    func pendingEvents(dueAt now: UnixTime, limit: Int) async throws -> [StoredEvent]

    /// Marks an event done: `status` is `.processed` or `.ignored`, at `processedAt`.
    func markProcessed(id: String, status: EventStatus, at processedAt: UnixTime) async throws

    /// Records a failed attempt: `failed` and due again at `nextAttemptAt`, or `dead` once its attempts reach
    /// `maxAttempts`. Returns the new status. An event processed or ignored meanwhile is left so (its status returned).
    @discardableResult
    func markFailed(id: String, error: String, nextAttemptAt: UnixTime, maxAttempts: Int) async throws -> EventStatus
}
