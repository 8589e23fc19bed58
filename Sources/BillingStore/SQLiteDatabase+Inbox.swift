import BillingCore
import CSQLite

extension SQLiteDatabase: InboxStore {
    @discardableResult
    public func store(_ event: ReceivedEvent) async throws -> InboxInsertOutcome {
        try await write { connection in
            try Self.insert(event, on: connection)
        }
    }

    public func event(id: String) async throws -> StoredEvent? {
        try await read { connection in
            try connection.query("SELECT \(Self.eventColumns) FROM events WHERE id = ?1", [.text(id)], row: StoredEvent.init(row:)).first
        }
    }

    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        try await read { connection in
            try Self.select(query, on: connection)
        }
    }

    public func counts() async throws -> [EventStatus: Int] {
        try await read { connection in
            var counts = Dictionary(uniqueKeysWithValues: EventStatus.allCases.map { ($0, 0) })
            let rows = try connection.query("SELECT status, count(*) FROM events GROUP BY status") { row in
                (try EventStatus(column: 0, of: row), row.int(at: 1))
            }
            for (status, count) in rows {
                counts[status] = count
            }
            return counts
        }
    }

    public func oldestUnprocessedReceivedAt() async throws -> UnixTime? {
        try await read { connection in
            try connection.query("SELECT min(received_at) FROM events WHERE status IN ('pending', 'failed')") {
                $0.optionalInt64(at: 0).map(UnixTime.init(milliseconds:))
            }.first ?? nil
        }
    }

    public func checkWritable() async throws {
        // The row changes on every call, so the commit really writes (and fsyncs) a page: a no-op would prove nothing.
        _ = try await write { connection in
            try connection.run("INSERT INTO store_heartbeat (id, beats) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET beats = beats + 1")
        }
    }

    public func pendingEvents(dueAt now: UnixTime, limit: Int) async throws -> [StoredEvent] {
        let due = try await read { connection in
            // INDEXED BY the partial index of unprocessed events: rows come in due order (ties in arrival order) and the
            // scan stops at `limit`. Left to itself the planner may prefer another index and then sort every due event,
            // which is the whole backlog after an outage.
            try connection.query(
                """
                SELECT \(Self.eventColumns) FROM events INDEXED BY events_due
                WHERE status IN ('pending', 'failed') AND next_attempt_at <= ?1
                ORDER BY next_attempt_at LIMIT ?2
                """,
                [.integer(now.milliseconds), .integer(Int64(limit))],
                row: StoredEvent.init(row:)
            )
        }
        return due.sortedInStripeOrder()
    }

    public func markProcessed(id: String, status: EventStatus, at processedAt: UnixTime) async throws {
        guard status == .processed || status == .ignored else {
            throw InboxError(code: .invalidStatus, eventID: id, message: "markProcessed takes processed or ignored, not \(status.rawValue)")
        }
        let changed = try await write { connection in
            try connection.run(
                "UPDATE events SET status = ?2, processed_at = ?3, next_attempt_at = NULL, last_error = NULL WHERE id = ?1",
                [.text(id), .text(status.rawValue), .integer(processedAt.milliseconds)]
            )
        }
        if changed == 0 {
            throw InboxError(code: .unknownEvent, eventID: id, message: "No stored event has this id")
        }
    }

    @discardableResult
    public func markFailed(id: String, error: String, nextAttemptAt: UnixTime, maxAttempts: Int) async throws -> EventStatus {
        precondition(maxAttempts >= 1, "maxAttempts must be at least 1")
        let status = try await write { connection in
            try connection.query(
                """
                UPDATE events SET
                    attempts = attempts + 1,
                    last_error = ?2,
                    status = CASE WHEN attempts + 1 >= ?4 THEN 'dead' ELSE 'failed' END,
                    next_attempt_at = CASE WHEN attempts + 1 >= ?4 THEN NULL ELSE ?3 END
                WHERE id = ?1 AND status IN ('pending', 'failed', 'dead')
                RETURNING status
                """,
                [.text(id), .text(error), .integer(nextAttemptAt.milliseconds), .integer(Int64(maxAttempts))]
            ) { try EventStatus(column: 0, of: $0) }.first
        }
        if let status { return status }
        // An event processed or ignored meanwhile stays so (as on PostgreSQL, where another instance may have done it).
        guard let stored = try await event(id: id) else {
            throw InboxError(code: .unknownEvent, eventID: id, message: "No stored event has this id")
        }
        return stored.status
    }
}

extension SQLiteDatabase {
    /// The hot path of the service: one cached INSERT; only a duplicate costs a second statement.
    static func insert(_ event: ReceivedEvent, on connection: SQLiteConnection) throws -> InboxInsertOutcome {
        let inserted = try connection.withStatement(
            """
            INSERT INTO events (id, type, api_version, created, livemode, account, object_type, object_id,
                subscription_id, customer_id, signature, received_at, status, attempts, next_attempt_at, payload)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', 0, ?12, ?13)
            ON CONFLICT (id) DO NOTHING
            """
        ) { statement in
            try statement.bind(event.id, at: 1)
            try statement.bind(event.type, at: 2)
            try statement.bind(event.apiVersion, at: 3)
            try statement.bind(event.created, at: 4)
            try statement.bind(event.livemode, at: 5)
            try statement.bind(event.account, at: 6)
            try statement.bind(event.objectType, at: 7)
            try statement.bind(event.objectID, at: 8)
            try statement.bind(event.subscriptionID, at: 9)
            try statement.bind(event.customerID, at: 10)
            try statement.bind(event.signature, at: 11)
            try statement.bind(event.receivedAt, at: 12)
            try statement.bind(event.payload, at: 13)
            _ = try statement.step()
            return connection.changes == 1
        }
        if inserted {
            return .inserted
        }
        let status = try connection.query("SELECT status FROM events WHERE id = ?1", [.text(event.id)]) {
            try EventStatus(column: 0, of: $0)
        }.first
        guard let status else {
            throw SQLiteError(
                code: .unexpectedValue,
                resultCode: SQLITE_CONSTRAINT,
                message: "Insert of \(event.id) conflicted but no row has that id"
            )
        }
        switch status {
        case .failed, .dead:
            // docs/billing-rules.md: a redelivery of an event we failed to process gives it another chance now. Its attempts are
            // kept, so a dead event that fails again goes straight back to dead.
            try connection.run(
                "UPDATE events SET status = 'pending', next_attempt_at = ?2 WHERE id = ?1",
                [.text(event.id), .integer(event.receivedAt)]
            )
            return .redriven
        case .pending, .processed, .ignored:
            return .duplicate(status: status)
        }
    }

    static func select(_ query: EventQuery, on connection: SQLiteConnection) throws -> [StoredEvent] {
        var conditions: [String] = []
        var bindings: [SQLiteValue] = []
        func placeholders(_ values: [SQLiteValue]) -> String {
            let first = bindings.count + 1
            bindings.append(contentsOf: values)
            return (first..<(first + values.count)).map { "?\($0)" }.joined(separator: ", ")
        }
        if !query.ids.isEmpty {
            conditions.append("id IN (\(placeholders(query.ids.map { .text($0) })))")
        }
        if !query.types.isEmpty {
            conditions.append("type IN (\(placeholders(query.types.map { .text($0) })))")
        }
        if !query.statuses.isEmpty {
            conditions.append("status IN (\(placeholders(query.statuses.map { .text($0.rawValue) })))")
        }
        if let subscriptionID = query.subscriptionID {
            conditions.append("subscription_id = \(placeholders([.text(subscriptionID)]))")
        }
        if let since = query.since {
            conditions.append("created >= \(placeholders([.integer(since)]))")
        }
        if let until = query.until {
            conditions.append("created < \(placeholders([.integer(until)]))")
        }
        if let after = query.after {
            conditions.append("(created, id) > (\(placeholders([.integer(after.created), .text(after.id)])))")
        }
        let condition = conditions.isEmpty ? nil : conditions.joined(separator: " AND ")
        // A page (with a limit) picks its rows by their keys first; see `keysInStripeOrder`.
        let rows = query.limit.map { "rowid IN (\(keysInStripeOrder(where: condition, limit: placeholders([.integer(Int64($0))]))))" } ?? condition
        let sql = "SELECT \(eventColumns) FROM events\(rows.map { " WHERE \($0)" } ?? "") ORDER BY created, id"
        // Not cached: the text varies with the filters, and these queries are not hot.
        let statement = try connection.prepare(sql)
        defer { statement.finalize() }
        try statement.bind(bindings)
        var events: [StoredEvent] = []
        while try statement.step() {
            events.append(try StoredEvent(row: statement))
        }
        return events
    }

    /// A subquery for the rowids of the first `limit` events (in Stripe's order) that match `condition`.
    ///
    /// `events_created` orders a second's events by arrival, so SQLite sorts every event of the last second a page
    /// touches. Selected with their payloads, a burst of thousands of deliveries in one second would be sorted (and
    /// held in the server's memory) whole for a page of ten; selected as keys, it costs a few bytes each, and only the
    /// page's own rows are read in full.
    package static func keysInStripeOrder(where condition: String?, limit: String) -> String {
        "SELECT rowid FROM events\(condition.map { " WHERE \($0)" } ?? "") ORDER BY created, id LIMIT \(limit)"
    }

    /// The columns `StoredEvent(row:)` reads, in its order.
    static let eventColumns = """
        id, type, api_version, created, livemode, account, object_type, object_id, subscription_id, customer_id, \
        signature, received_at, status, attempts, last_error, next_attempt_at, processed_at, payload
        """
}

extension StoredEvent {
    /// Decodes a row selected with `SQLiteDatabase.eventColumns`.
    init(row: SQLiteStatement) throws {
        self.init(
            event: ReceivedEvent(
                id: row.string(at: 0),
                type: row.string(at: 1),
                apiVersion: row.optionalString(at: 2),
                created: row.int64(at: 3),
                livemode: row.int64(at: 4) != 0,
                account: row.optionalString(at: 5),
                objectType: row.optionalString(at: 6),
                objectID: row.optionalString(at: 7),
                subscriptionID: row.optionalString(at: 8),
                customerID: row.optionalString(at: 9),
                payload: row.blob(at: 17),
                signature: row.string(at: 10),
                receivedAt: row.int64(at: 11)
            ),
            status: try EventStatus(column: 12, of: row),
            attempts: row.int(at: 13),
            lastError: row.optionalString(at: 14),
            nextAttemptAt: row.optionalInt64(at: 15).map(UnixTime.init(milliseconds:)),
            processedAt: row.optionalInt64(at: 16).map(UnixTime.init(milliseconds:))
        )
    }
}

extension EventStatus {
    init(column: Int32, of row: SQLiteStatement) throws {
        let text = row.string(at: column)
        guard let status = EventStatus(rawValue: text) else {
            throw SQLiteError(code: .unexpectedValue, message: "Unknown event status '\(text)'", sql: row.sql)
        }
        self = status
    }
}
