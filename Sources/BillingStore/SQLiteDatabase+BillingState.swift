import BillingCore
import CSQLite

extension SQLiteDatabase: BillingStateStore {
    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await read { connection in
            try connection.query("SELECT id, customer_id, updated_at, state FROM subscriptions WHERE id = ?1", [.text(id)], row: SubscriptionRecord.init(row:)).first
        }
    }

    public func subscriptions() async throws -> [SubscriptionRecord] {
        try await read { connection in
            try connection.query("SELECT id, customer_id, updated_at, state FROM subscriptions ORDER BY id", row: SubscriptionRecord.init(row:))
        }
    }

    public func subscriptions(customerID: String) async throws -> [SubscriptionRecord] {
        try await read { connection in
            try connection.query(
                "SELECT id, customer_id, updated_at, state FROM subscriptions WHERE customer_id = ?1 ORDER BY id",
                [.text(customerID)], row: SubscriptionRecord.init(row:)
            )
        }
    }

    public func commit(_ commit: BillingCommit) async throws {
        try await write { connection in
            try Self.apply(commit, on: connection)
        }
    }

    public func commit(_ commit: BillingCommit, ifStateIs expected: [UInt8]?) async throws {
        try await write { connection in
            if let id = commit.subscription?.id {
                let current = try connection.query("SELECT state FROM subscriptions WHERE id = ?1", [.text(id)]) { $0.blob(at: 0) }.first
                guard current == expected else { throw BillingStateConflict(subscriptionID: id) }
            }
            try Self.apply(commit, on: connection)
        }
    }

    public func dueTimers(at now: UnixTime, limit: Int) async throws -> [TimerRecord] {
        try await read { connection in
            try connection.query(
                "SELECT id, subscription_id, kind, fire_at FROM timers WHERE fire_at <= ?1 ORDER BY fire_at, id LIMIT ?2",
                // Timers fire at Stripe's whole seconds.
                [.integer(now.seconds), .integer(Int64(limit))], row: TimerRecord.init(row:)
            )
        }
    }

    public func timers(subscriptionID: String) async throws -> [TimerRecord] {
        try await read { connection in
            try connection.query(
                "SELECT id, subscription_id, kind, fire_at FROM timers WHERE subscription_id = ?1 ORDER BY fire_at, id",
                [.text(subscriptionID)], row: TimerRecord.init(row:)
            )
        }
    }

    public func pendingActions(limit: Int) async throws -> [OutboxAction] {
        try await read { connection in
            try connection.query(
                "SELECT \(Self.actionColumns) FROM actions WHERE status = 'pending' ORDER BY seq LIMIT ?1",
                [.integer(Int64(limit))], row: OutboxAction.init(row:)
            )
        }
    }

    public func actions(subscriptionID: String) async throws -> [OutboxAction] {
        try await read { connection in
            try connection.query(
                "SELECT \(Self.actionColumns) FROM actions WHERE subscription_id = ?1 ORDER BY seq",
                [.text(subscriptionID)], row: OutboxAction.init(row:)
            )
        }
    }

    public func actionCounts() async throws -> [OutboxAction.Status: Int] {
        try await read { connection in
            var counts = Dictionary(uniqueKeysWithValues: OutboxAction.Status.allCases.map { ($0, 0) })
            for (status, count) in try connection.query("SELECT status, count(*) FROM actions GROUP BY status", row: { ($0.string(at: 0), $0.int(at: 1)) }) {
                if let status = OutboxAction.Status(rawValue: status) { counts[status] = count }
            }
            return counts
        }
    }

    public func markActionsDone(seqs: [Int64], at: UnixTime) async throws {
        guard !seqs.isEmpty else { return }
        try await write { connection in
            // One statement per few hundred rows, in one write job: SQLite binds at most 32,766 parameters.
            for start in stride(from: 0, to: seqs.count, by: 500) {
                let page = seqs[start..<min(start + 500, seqs.count)]
                let placeholders = (2..<(page.count + 2)).map { "?\($0)" }.joined(separator: ", ")
                try connection.run(
                    "UPDATE actions SET status = 'done', completed_at = ?1 WHERE seq IN (\(placeholders))",
                    [.integer(at.milliseconds)] + page.map(SQLiteValue.integer)
                )
            }
        }
    }

    public func markActionFailed(seq: Int64, error: String, maxAttempts: Int) async throws {
        try await write { connection in
            try connection.run(
                """
                UPDATE actions SET attempts = attempts + 1, last_error = ?2,
                    status = CASE WHEN attempts + 1 >= ?3 THEN 'dead' ELSE status END
                WHERE seq = ?1
                """,
                [.integer(seq), .text(error), .integer(Int64(maxAttempts))]
            )
        }
    }

    public func discardDerivedState() async throws {
        try await write { connection in
            // Done actions stay: they are the record of what was already carried out (reports Stripe acknowledged).
            try connection.execute("DELETE FROM subscriptions; DELETE FROM timers; DELETE FROM actions WHERE status != 'done';")
        }
    }

    static let actionColumns = "seq, subscription_id, event_id, kind, created_at, status, attempts, last_error, payload_version, payload"

    // One write job, inside the writer's batch transaction (its own savepoint): all of it lands or none does.
    static func apply(_ commit: BillingCommit, on connection: SQLiteConnection) throws {
        if let subscription = commit.subscription {
            try connection.run(
                """
                INSERT INTO subscriptions (id, customer_id, updated_at, state) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, updated_at = excluded.updated_at, state = excluded.state
                """,
                [.text(subscription.id), subscription.customerID.map(SQLiteValue.text) ?? .null, .integer(subscription.updatedAt.milliseconds), .blob(subscription.state)]
            )
            // The stored timers mirror the state's: replace the set rather than diffing it.
            try connection.run("DELETE FROM timers WHERE subscription_id = ?1", [.text(subscription.id)])
            for timer in commit.timers {
                try connection.run(
                    "INSERT INTO timers (id, subscription_id, kind, fire_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET fire_at = excluded.fire_at",
                    [.text(timer.id), .text(timer.subscriptionID), .text(timer.kind), .integer(timer.fireAt)]
                )
            }
        }
        for id in commit.firedTimerIDs {
            try connection.run("DELETE FROM timers WHERE id = ?1", [.text(id)])
        }
        for action in commit.actions {
            guard let payload = action.payload else { preconditionFailure("Invalid commit: a new action must carry its BillingAction") }
            try connection.run(
                "INSERT INTO actions (subscription_id, event_id, kind, created_at, payload_version, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                [
                    .text(action.subscriptionID), action.eventID.map(SQLiteValue.text) ?? .null, .text(action.kind), .integer(action.createdAt.milliseconds),
                    .integer(Int64(OutboxPayload.version)), .blob(payload),
                ]
            )
        }
        for (id, status) in commit.finishedEvents {
            try connection.run(
                "UPDATE events SET status = ?2, processed_at = ?3, next_attempt_at = NULL, last_error = NULL WHERE id = ?1",
                [.text(id), .text(status.rawValue), .integer(commit.at.milliseconds)]
            )
        }
    }
}

extension SubscriptionRecord {
    init(row: SQLiteStatement) throws {
        self.init(id: row.string(at: 0), customerID: row.optionalString(at: 1), updatedAt: UnixTime(milliseconds: row.int64(at: 2)), state: row.blob(at: 3))
    }
}

extension TimerRecord {
    init(row: SQLiteStatement) throws {
        self.init(id: row.string(at: 0), subscriptionID: row.string(at: 1), kind: row.string(at: 2), fireAt: row.int64(at: 3))
    }
}

extension OutboxAction {
    init(row: SQLiteStatement) throws {
        guard let status = Status(rawValue: row.string(at: 5)) else {
            throw SQLiteError(code: .unexpectedValue, resultCode: SQLITE_MISMATCH, message: "unknown action status \(row.string(at: 5))", sql: nil)
        }
        self.init(
            seq: row.int64(at: 0), subscriptionID: row.string(at: 1), eventID: row.optionalString(at: 2),
            action: OutboxPayload.decode(row.blob(at: 9), version: row.int(at: 8)), kind: row.string(at: 3), createdAt: UnixTime(milliseconds: row.int64(at: 4)),
            status: status, attempts: row.int(at: 6), lastError: row.optionalString(at: 7)
        )
    }
}
