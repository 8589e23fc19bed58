/// What `replay` reads: stored events, the derived state they produced and the ledger's report statuses.
///
/// `SQLiteDatabase` implements it, and so does `SQLiteReadOnlyDatabase`, which `replay --dry-run` opens so that
/// nothing (no migration, no heartbeat, no checkpoint) can write to the store file.
public protocol StoredEventReader: Sendable {
    /// Stored events matching `query`, ordered by `created`, then `id`.
    func events(_ query: EventQuery) async throws -> [StoredEvent]
    /// Up to `limit` stored events after `cursor` (from the first when nil), in `(created, id)` order, with only the
    /// columns a replay needs: the rebuild pages through every stored event with this.
    func replayRows(after cursor: EventCursor?, limit: Int) async throws -> [ReplayRow]
    func subscription(id: String) async throws -> SubscriptionRecord?
    /// Every subscription, ordered by id.
    func subscriptions() async throws -> [SubscriptionRecord]
    /// Number of events per status (every status present, zero included).
    func counts() async throws -> [EventStatus: Int]
    /// Customers with a usage report Stripe has not acknowledged (`pending` or `dead`, purpose `usage`): the reporter
    /// does not confirm their final flushes yet, and neither does a rebuild.
    func customersWithUnsentUsageReports() async throws -> Set<String>
}

/// A stored event as a replay reads it: routing fields, processing status and the raw bytes.
public struct ReplayRow: Hashable, Sendable {
    public var id: String
    public var type: String
    /// Stripe's `created`, unix seconds.
    public var created: Int64
    public var subscriptionID: String?
    public var status: EventStatus
    public var attempts: Int
    public var payload: [UInt8]

    public init(id: String, type: String, created: Int64, subscriptionID: String?, status: EventStatus, attempts: Int, payload: [UInt8]) {
        self.id = id
        self.type = type
        self.created = created
        self.subscriptionID = subscriptionID
        self.status = status
        self.attempts = attempts
        self.payload = payload
    }

    /// The position of this row, to page on from it.
    public var cursor: EventCursor { EventCursor(created: created, id: id) }
}

extension SQLiteDatabase: StoredEventReader {
    public func replayRows(after cursor: EventCursor?, limit: Int) async throws -> [ReplayRow] {
        try await read { connection in
            try Self.replayRows(after: cursor, limit: limit, on: connection)
        }
    }

    public func customersWithUnsentUsageReports() async throws -> Set<String> {
        try await read { connection in
            try Self.customersWithUnsentUsageReports(on: connection)
        }
    }

    // Both read the `events_created` index in order, so a page costs its own rows only, however deep the cursor. The
    // index is on `created` alone: SQLite sorts each second's events by id, holding one second's rows at a time. Not
    // the keys first, as listings do (`keysInStripeOrder`): that looks every row up twice, and cost `replay --rebuild`
    // of a million events about 15 % (BENCHMARKS.md), for a saving that matters only when thousands share a second.
    static func replayRows(after cursor: EventCursor?, limit: Int, on connection: SQLiteConnection) throws -> [ReplayRow] {
        let columns = "id, type, created, subscription_id, status, attempts, payload"
        if let cursor {
            return try connection.query(
                "SELECT \(columns) FROM events WHERE (created, id) > (?1, ?2) ORDER BY created, id LIMIT ?3",
                [.integer(cursor.created), .text(cursor.id), .integer(Int64(limit))], row: ReplayRow.init(row:)
            )
        }
        return try connection.query(
            "SELECT \(columns) FROM events ORDER BY created, id LIMIT ?1", [.integer(Int64(limit))], row: ReplayRow.init(row:)
        )
    }

    static func customersWithUnsentUsageReports(on connection: SQLiteConnection) throws -> Set<String> {
        Set(try connection.query("SELECT DISTINCT customer_id FROM usage_reports WHERE status IN ('pending', 'dead') AND purpose = 'usage'") { $0.string(at: 0) })
    }
}

extension ReplayRow {
    init(row: SQLiteStatement) throws {
        self.init(
            id: row.string(at: 0), type: row.string(at: 1), created: row.int64(at: 2), subscriptionID: row.optionalString(at: 3),
            status: try EventStatus(column: 4, of: row), attempts: row.int(at: 5), payload: row.blob(at: 6)
        )
    }
}
