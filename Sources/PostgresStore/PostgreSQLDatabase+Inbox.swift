import BillingCore
import BillingStore
import NIOCore
import PostgresNIO

extension PostgreSQLDatabase: InboxStore {
    @discardableResult
    public func store(_ event: ReceivedEvent) async throws -> InboxInsertOutcome {
        // The hot path: one statement and one commit; only a duplicate costs a second transaction.
        let inserted = try await rows(
            """
            INSERT INTO events (id, type, api_version, created, livemode, account, object_type, object_id,
                subscription_id, customer_id, signature, received_at, status, attempts, next_attempt_at, payload)
            VALUES (\(event.id), \(event.type), \(event.apiVersion), \(event.created), \(event.livemode), \(event.account),
                \(event.objectType), \(event.objectID), \(event.subscriptionID), \(event.customerID), \(event.signature),
                \(event.receivedAt), 'pending', 0, \(event.receivedAt), \(ByteBuffer(bytes: event.payload)))
            ON CONFLICT (id) DO NOTHING
            RETURNING 1
            """
        ) { _ in true }
        if !inserted.isEmpty { return .inserted }
        return try await transaction { connection in
            let status = try await connection.rows("SELECT status FROM events WHERE id = \(event.id) FOR UPDATE", logger: logger) {
                try EventStatus(postgres: $0.decode(String.self))
            }.first
            guard let status else {
                throw PostgresStoreError(message: "insert of event \(event.id) conflicted but no row has that id")
            }
            switch status {
            case .failed, .dead:
                // docs/billing-rules.md: a redelivery gives a failed event another chance now; its attempts are kept.
                try await connection.run(
                    "UPDATE events SET status = 'pending', next_attempt_at = \(event.receivedAt) WHERE id = \(event.id)", logger: logger
                )
                return .redriven
            case .pending, .processed, .ignored:
                return .duplicate(status: status)
            }
        }
    }

    public func event(id: String) async throws -> StoredEvent? {
        try await rows("SELECT \(unescaped: Self.eventColumns) FROM events WHERE id = \(id)", StoredEvent.init(postgres:)).first
    }

    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        var bindings = PostgresBindings()
        func bind(_ value: some PostgresEncodable & Sendable) throws -> String {
            try bindings.append(value)
            return "$\(bindings.count)"
        }
        var conditions = ""
        if !query.ids.isEmpty { conditions += " AND id = ANY(\(try bind(query.ids)))" }
        if !query.types.isEmpty { conditions += " AND type = ANY(\(try bind(query.types)))" }
        if !query.statuses.isEmpty { conditions += " AND status = ANY(\(try bind(query.statuses.map(\.rawValue))))" }
        if let subscriptionID = query.subscriptionID { conditions += " AND subscription_id = \(try bind(subscriptionID))" }
        if let since = query.since { conditions += " AND created >= \(try bind(since))" }
        if let until = query.until { conditions += " AND created < \(try bind(until))" }
        if let after = query.after { conditions += " AND (created, id) > (\(try bind(after.created)), \(try bind(after.id)))" }
        var tail = " ORDER BY created, id"
        if let limit = query.limit { tail += " LIMIT \(try bind(Int64(limit)))" }
        let sql = PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM events WHERE true\(conditions)\(tail)", binds: bindings)
        return try await rows(sql, StoredEvent.init(postgres:))
    }

    public func counts() async throws -> [EventStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: EventStatus.allCases.map { ($0, 0) })
        for (status, count) in try await rows("SELECT status, count(*) FROM events GROUP BY status", { try $0.decode((String, Int).self) }) {
            counts[try EventStatus(postgres: status)] = count
        }
        return counts
    }

    public func oldestUnprocessedReceivedAt() async throws -> UnixTime? {
        try await rows("SELECT min(received_at) FROM events WHERE status IN ('pending', 'failed')") {
            try $0.decode(Int64?.self).map(UnixTime.init(milliseconds:))
        }.first ?? nil
    }

    public func checkWritable() async throws {
        // The row changes on every call, so the commit really writes and flushes WAL: a no-op would prove nothing.
        try await run("INSERT INTO store_heartbeat (id, beats) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET beats = store_heartbeat.beats + 1")
    }

    public func pendingEvents(dueAt now: UnixTime, limit: Int) async throws -> [StoredEvent] {
        // Events of subscriptions another live instance is working on are left to it: taking them here would only make
        // this instance wait for that lease, while other subscriptions' events wait behind them.
        try await rows(
            """
            SELECT \(unescaped: Self.eventColumns) FROM events e
            WHERE status IN ('pending', 'failed') AND next_attempt_at <= \(now.milliseconds)
                AND NOT EXISTS (
                    SELECT 1 FROM leases l
                    WHERE l.name = 'sub:' || e.subscription_id AND l.owner <> \(leaseOwner) AND l.expires_at > \(now.milliseconds)
                )
            ORDER BY next_attempt_at, id LIMIT \(Int64(limit))
            """,
            StoredEvent.init(postgres:)
        ).sortedInStripeOrder()
    }

    public func markProcessed(id: String, status: EventStatus, at processedAt: UnixTime) async throws {
        guard status == .processed || status == .ignored else {
            throw InboxError(code: .invalidStatus, eventID: id, message: "markProcessed takes processed or ignored, not \(status.rawValue)")
        }
        let changed = try await run(
            """
            UPDATE events SET status = \(status.rawValue), processed_at = \(processedAt.milliseconds), next_attempt_at = NULL, last_error = NULL
            WHERE id = \(id) RETURNING 1
            """
        )
        if changed == 0 { throw InboxError(code: .unknownEvent, eventID: id, message: "No stored event has this id") }
    }

    @discardableResult
    public func markFailed(id: String, error: String, nextAttemptAt: UnixTime, maxAttempts: Int) async throws -> EventStatus {
        precondition(maxAttempts >= 1, "maxAttempts must be at least 1")
        let attempts = Int32(maxAttempts)
        // Not an event already processed or ignored: another instance may have processed it meanwhile, and it stays so.
        let status = try await rows(
            """
            UPDATE events SET
                attempts = attempts + 1,
                last_error = \(error),
                status = CASE WHEN attempts + 1 >= \(attempts) THEN 'dead' ELSE 'failed' END,
                next_attempt_at = CASE WHEN attempts + 1 >= \(attempts) THEN NULL ELSE \(nextAttemptAt.milliseconds)::bigint END
            WHERE id = \(id) AND status IN ('pending', 'failed', 'dead')
            RETURNING status
            """
        ) { try EventStatus(postgres: $0.decode(String.self)) }.first
        if let status { return status }
        guard let stored = try await event(id: id) else {
            throw InboxError(code: .unknownEvent, eventID: id, message: "No stored event has this id")
        }
        return stored.status
    }

    /// The columns `StoredEvent(postgres:)` reads, in its order.
    static let eventColumns = """
        id, type, api_version, created, livemode, account, object_type, object_id, subscription_id, customer_id, \
        signature, received_at, status, attempts, last_error, next_attempt_at, processed_at, payload
        """
}

extension StoredEvent {
    /// Decodes a row selected with `PostgreSQLDatabase.eventColumns`.
    init(postgres row: PostgresRow) throws {
        let (
            id, type, apiVersion, created, livemode, account, objectType, objectID, subscriptionID, customerID,
            signature, receivedAt, status, attempts, lastError, nextAttemptAt, processedAt, payload
        ) = try row.decode(
            (String, String, String?, Int64, Bool, String?, String?, String?, String?, String?, String, Int64, String, Int, String?, Int64?, Int64?, ByteBuffer).self
        )
        self.init(
            event: ReceivedEvent(
                id: id, type: type, apiVersion: apiVersion, created: created, livemode: livemode, account: account,
                objectType: objectType, objectID: objectID, subscriptionID: subscriptionID, customerID: customerID,
                payload: Array(payload.readableBytesView), signature: signature, receivedAt: receivedAt
            ),
            status: try EventStatus(postgres: status), attempts: attempts, lastError: lastError,
            nextAttemptAt: nextAttemptAt.map(UnixTime.init(milliseconds:)), processedAt: processedAt.map(UnixTime.init(milliseconds:))
        )
    }
}

extension EventStatus {
    init(postgres text: String) throws {
        guard let status = EventStatus(rawValue: text) else { throw PostgresStoreError(message: "unknown event status '\(text)' in the events table") }
        self = status
    }
}
