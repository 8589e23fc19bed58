import BillingCore
import BillingStore
import Logging
import NIOCore
import PostgresNIO

extension PostgreSQLDatabase: BillingStateStore {
    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await rows("SELECT id, customer_id, updated_at, state FROM subscriptions WHERE id = \(id)", SubscriptionRecord.init(postgres:)).first
    }

    public func subscriptions() async throws -> [SubscriptionRecord] {
        try await rows("SELECT id, customer_id, updated_at, state FROM subscriptions ORDER BY id", SubscriptionRecord.init(postgres:))
    }

    public func subscriptions(customerID: String) async throws -> [SubscriptionRecord] {
        try await rows(
            "SELECT id, customer_id, updated_at, state FROM subscriptions WHERE customer_id = \(customerID) ORDER BY id", SubscriptionRecord.init(postgres:)
        )
    }

    public func commit(_ commit: BillingCommit) async throws {
        try await transaction { connection in
            try await Self.apply(commit, guard: nil, on: connection, logger: logger)
        }
    }

    public func commit(_ commit: BillingCommit, ifStateIs expected: [UInt8]?) async throws {
        try await transaction { connection in
            try await Self.apply(commit, guard: .some(expected), on: connection, logger: logger)
        }
    }

    public func dueTimers(at now: UnixTime, limit: Int) async throws -> [TimerRecord] {
        // As with events: timers of a subscription another live instance holds are left to it. Timers fire at Stripe's
        // whole seconds; leases expire in milliseconds.
        return try await rows(
            """
            SELECT id, subscription_id, kind, fire_at FROM timers t
            WHERE fire_at <= \(now.seconds) AND NOT EXISTS (
                SELECT 1 FROM leases l WHERE l.name = 'sub:' || t.subscription_id AND l.owner <> \(leaseOwner) AND l.expires_at > \(now.milliseconds)
            )
            ORDER BY fire_at, id LIMIT \(Int64(limit))
            """,
            TimerRecord.init(postgres:)
        )
    }

    public func timers(subscriptionID: String) async throws -> [TimerRecord] {
        try await rows(
            "SELECT id, subscription_id, kind, fire_at FROM timers WHERE subscription_id = \(subscriptionID) ORDER BY fire_at, id", TimerRecord.init(postgres:)
        )
    }

    public func pendingActions(limit: Int) async throws -> [OutboxAction] {
        // Not claimed row by row: one instance at a time runs a reporting round (the `reporter` lease), and a round that
        // fails leaves its actions for the next round at once, as on SQLite.
        try await rows(
            "SELECT \(unescaped: Self.actionColumns) FROM actions WHERE status = 'pending' ORDER BY seq LIMIT \(Int64(limit))", OutboxAction.init(postgres:)
        )
    }

    public func actions(subscriptionID: String) async throws -> [OutboxAction] {
        try await rows(
            "SELECT \(unescaped: Self.actionColumns) FROM actions WHERE subscription_id = \(subscriptionID) ORDER BY seq", OutboxAction.init(postgres:)
        )
    }

    public func actionCounts() async throws -> [OutboxAction.Status: Int] {
        var counts = Dictionary(uniqueKeysWithValues: OutboxAction.Status.allCases.map { ($0, 0) })
        for (status, count) in try await rows("SELECT status, count(*) FROM actions GROUP BY status", { try $0.decode((String, Int).self) }) {
            if let status = OutboxAction.Status(rawValue: status) { counts[status] = count }
        }
        return counts
    }

    public func markActionsDone(seqs: [Int64], at: UnixTime) async throws {
        guard !seqs.isEmpty else { return }
        try await run("UPDATE actions SET status = 'done', completed_at = \(at.milliseconds) WHERE seq = ANY(\(seqs))")
    }

    public func markActionFailed(seq: Int64, error: String, maxAttempts: Int) async throws {
        try await run(
            """
            UPDATE actions SET attempts = attempts + 1, last_error = \(error),
                status = CASE WHEN attempts + 1 >= \(Int32(maxAttempts)) THEN 'dead' ELSE status END
            WHERE seq = \(seq)
            """
        )
    }

    public func discardDerivedState() async throws {
        try await transaction { connection in
            // Done actions stay: they are the record of what was already carried out.
            try await connection.run("DELETE FROM subscriptions", logger: logger)
            try await connection.run("DELETE FROM timers", logger: logger)
            try await connection.run("DELETE FROM actions WHERE status <> 'done'", logger: logger)
        }
    }

    static let actionColumns = "seq, subscription_id, event_id, kind, created_at, status, attempts, last_error, payload_version, payload"

    /// Writes `commit` on `connection`, inside the caller's transaction. With a `guard`, the subscription's stored state
    /// must still be `expected` (nil: no row yet), else `BillingStateConflict` and the caller's transaction rolls back.
    static func apply(_ commit: BillingCommit, guard expected: [UInt8]??, on connection: PostgresConnection, logger: Logger) async throws {
        if let subscription = commit.subscription {
            let state = ByteBuffer(bytes: subscription.state)
            let written: Int
            switch expected {
            case .none:
                written = try await connection.run(
                    """
                    INSERT INTO subscriptions (id, customer_id, updated_at, state)
                    VALUES (\(subscription.id), \(subscription.customerID), \(subscription.updatedAt.milliseconds), \(state))
                    ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, updated_at = excluded.updated_at, state = excluded.state
                    RETURNING 1
                    """,
                    logger: logger
                )
            case .some(.none):
                written = try await connection.run(
                    """
                    INSERT INTO subscriptions (id, customer_id, updated_at, state)
                    VALUES (\(subscription.id), \(subscription.customerID), \(subscription.updatedAt.milliseconds), \(state))
                    ON CONFLICT (id) DO NOTHING RETURNING 1
                    """,
                    logger: logger
                )
            case .some(.some(let expected)):
                written = try await connection.run(
                    """
                    UPDATE subscriptions SET customer_id = \(subscription.customerID), updated_at = \(subscription.updatedAt.milliseconds), state = \(state)
                    WHERE id = \(subscription.id) AND state = \(ByteBuffer(bytes: expected)) RETURNING 1
                    """,
                    logger: logger
                )
            }
            guard written == 1 else { throw BillingStateConflict(subscriptionID: subscription.id) }
            // The stored timers mirror the state's: replace the set rather than diffing it.
            try await connection.run("DELETE FROM timers WHERE subscription_id = \(subscription.id)", logger: logger)
            if !commit.timers.isEmpty {
                try await connection.run(
                    """
                    INSERT INTO timers (id, subscription_id, kind, fire_at)
                    SELECT * FROM unnest(\(commit.timers.map(\.id))::text[], \(commit.timers.map(\.subscriptionID))::text[],
                        \(commit.timers.map(\.kind))::text[], \(commit.timers.map(\.fireAt))::bigint[])
                    ON CONFLICT (id) DO UPDATE SET fire_at = excluded.fire_at
                    """,
                    logger: logger
                )
            }
        }
        if !commit.firedTimerIDs.isEmpty {
            try await connection.run("DELETE FROM timers WHERE id = ANY(\(commit.firedTimerIDs))", logger: logger)
        }
        for action in commit.actions {
            guard let payload = action.payload else { preconditionFailure("Invalid commit: a new action must carry its BillingAction") }
            try await connection.run(
                """
                INSERT INTO actions (subscription_id, event_id, kind, created_at, payload_version, payload)
                VALUES (\(action.subscriptionID), \(action.eventID), \(action.kind), \(action.createdAt.milliseconds), \(Int32(OutboxPayload.version)),
                    \(ByteBuffer(bytes: payload)))
                """,
                logger: logger
            )
        }
        for status in [EventStatus.processed, .ignored] {
            let ids = commit.finishedEvents.filter { $0.status == status }.map(\.id)
            guard !ids.isEmpty else { continue }
            try await connection.run(
                """
                UPDATE events SET status = \(status.rawValue), processed_at = \(commit.at.milliseconds), next_attempt_at = NULL, last_error = NULL
                WHERE id = ANY(\(ids))
                """,
                logger: logger
            )
        }
    }
}

extension SubscriptionRecord {
    init(postgres row: PostgresRow) throws {
        let (id, customerID, updatedAt, state) = try row.decode((String, String?, Int64, ByteBuffer).self)
        self.init(id: id, customerID: customerID, updatedAt: UnixTime(milliseconds: updatedAt), state: Array(state.readableBytesView))
    }
}

extension TimerRecord {
    init(postgres row: PostgresRow) throws {
        let (id, subscriptionID, kind, fireAt) = try row.decode((String, String, String, Int64).self)
        self.init(id: id, subscriptionID: subscriptionID, kind: kind, fireAt: fireAt)
    }
}

extension OutboxAction {
    init(postgres row: PostgresRow) throws {
        let (seq, subscriptionID, eventID, kind, createdAt, status, attempts, lastError, version, payload) = try row.decode(
            (Int64, String, String?, String, Int64, String, Int, String?, Int, ByteBuffer).self
        )
        guard let status = Status(rawValue: status) else { throw PostgresStoreError(message: "unknown action status '\(status)' in the actions table") }
        self.init(
            seq: seq, subscriptionID: subscriptionID, eventID: eventID, action: OutboxPayload.decode(Array(payload.readableBytesView), version: version),
            kind: kind, createdAt: UnixTime(milliseconds: createdAt), status: status, attempts: attempts, lastError: lastError
        )
    }
}
