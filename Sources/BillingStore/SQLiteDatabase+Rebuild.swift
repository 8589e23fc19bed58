import BillingCore
import Foundation
import Synchronization

/// An action a rebuild derived, to record (as done unless an identical one was still waiting to be carried out).
public struct RebuildAction: Hashable, Sendable {
    public var subscriptionID: String
    public var eventID: String?
    public var kind: String
    /// `OutboxPayload`'s bytes, encoded where the action is decided rather than on the rebuild's one writer thread.
    public var payload: [UInt8]

    public init(subscriptionID: String, eventID: String?, action: BillingAction) {
        self.subscriptionID = subscriptionID
        self.eventID = eventID
        kind = action.kind
        payload = OutboxPayload.encode(action)
    }
}

/// A stored event whose processing status a rebuild changes.
public struct RebuildEventOutcome: Hashable, Sendable {
    public var id: String
    /// `processed`, `ignored` or `failed` (`failed` becomes `dead` once the event's attempts reach the maximum).
    public var status: EventStatus
    public var error: String?

    public init(id: String, status: EventStatus, error: String? = nil) {
        self.id = id
        self.status = status
        self.error = error
    }
}

/// What a rebuild wrote.
public struct RebuildWriteSummary: Hashable, Sendable {
    public var subscriptions = 0
    public var timers = 0
    /// Actions recorded now, as done: decided again by the rebuild, carried out before (or not to be carried out).
    public var actionsRecorded = 0
    /// Actions found already recorded as done (a rebuild of a rebuild records nothing twice).
    public var actionsAlreadyRecorded = 0
    /// Actions still waiting (or dead) before the rebuild and decided again by it: kept as they were, so work never
    /// carried out is not lost.
    public var actionsKept = 0
    public var eventStatusesChanged = 0

    public init() {}
}

/// Where a rebuild streams its output while it runs; everything lands in one transaction when the rebuild ends.
public final class DerivedStateSink: Sendable {
    fileprivate enum Chunk: Sendable {
        case actions([RebuildAction])
        case outcomes([RebuildEventOutcome])
        case subscriptions([SubscriptionRecord], timers: [TimerRecord])
        case end
        case abort
    }

    /// The rebuild's own write job stopped taking chunks (it failed).
    public struct WriterStopped: Error, Sendable {}

    fileprivate let queue = BlockingJobQueue<Chunk>()

    fileprivate init() {}

    /// Chunks queued for the writer beyond which `add` waits: the writer sets the pace, memory stays bounded.
    static let backlog = 16

    public func add(actions: [RebuildAction]) async throws {
        guard !actions.isEmpty else { return }
        try await push(.actions(actions))
    }

    public func add(outcomes: [RebuildEventOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        try await push(.outcomes(outcomes))
    }

    /// Saves subscriptions (each once) with their complete sets of timers.
    public func add(subscriptions: [SubscriptionRecord], timers: [TimerRecord]) async throws {
        guard !subscriptions.isEmpty else { return }
        try await push(.subscriptions(subscriptions, timers: timers))
    }

    private func push(_ chunk: Chunk) async throws {
        // The writer thread blocks on the queue, so a task cannot: it polls, briefly, while the writer catches up.
        while queue.count >= Self.backlog && !queue.isClosed {
            try await Task.sleep(for: .milliseconds(1))
        }
        guard queue.enqueue(chunk) else { throw WriterStopped() }
    }
}

/// Replacing all derived state in one transaction (`replay --rebuild`).
public protocol DerivedStateRebuilding: Sendable {
    /// Discards the derived state (subscriptions, timers, actions not done) and writes what `body` streams into the
    /// sink instead, all in one transaction: it commits only when `body` returns, and if `body` throws, nothing
    /// changes. Actions already recorded as done are kept and never recorded twice.
    ///
    /// - Parameters:
    ///   - now: the time for `completed_at` and `processed_at`.
    ///   - retryAt: when events that now fail are retried.
    ///   - maxAttempts: the processor's maximum, after which a failing event is `dead`.
    func rebuildDerivedState<T: Sendable>(
        now: UnixTime, retryAt: UnixTime, maxAttempts: Int, _ body: (DerivedStateSink) async throws -> T
    ) async throws -> (T, RebuildWriteSummary)
}

extension SQLiteDatabase: DerivedStateRebuilding {
    public func rebuildDerivedState<T: Sendable>(
        now: UnixTime, retryAt: UnixTime, maxAttempts: Int, _ body: (DerivedStateSink) async throws -> T
    ) async throws -> (T, RebuildWriteSummary) {
        let sink = DerivedStateSink()
        let queue = sink.queue
        let (path, busyTimeout) = (self.path, configuration.busyTimeoutMilliseconds)
        // One transaction for the whole rebuild, on a connection and thread of its own that consume the sink while
        // `body` produces, so the actions never pile up in memory. Not a job of the group-committing writer: a job runs
        // inside a savepoint, and a savepoint keeps the original of every page the transaction changes (hundreds of
        // megabytes for a million events) in the statement journal. The store's writer is idle meanwhile (a rebuild
        // runs alone: `serve` is refused), and SQLite's lock would make it wait, not fail, if it were not.
        async let written: RebuildWriteSummary = Self.onOwnThread(name: "sqlite-rebuild") {
            defer { queue.close() }
            let connection = try SQLiteConnection(path: path, flags: .default)
            defer { connection.close() }
            try connection.setBusyTimeout(milliseconds: busyTimeout)
            // The page cache holds the indexes a rebuild grows, so SQLite does not spill and re-read them; FULL fsyncs
            // the WAL at COMMIT (once), as the writer does.
            try connection.execute(
                """
                PRAGMA synchronous = FULL; PRAGMA fullfsync = ON; PRAGMA checkpoint_fullfsync = ON; PRAGMA foreign_keys = ON;
                PRAGMA temp_store = FILE; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0;
                """
            )
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let summary = try Self.consumeRebuild(queue, on: connection, now: now, retryAt: retryAt, maxAttempts: maxAttempts)
                try connection.execute("COMMIT")
                // The rebuild left a WAL of about a gigabyte per million events: copied into the database now, and the WAL
                // truncated, rather than left on disk. Committed either way: a checkpoint that cannot finish is no failure.
                _ = try? connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return summary
            } catch {
                if !connection.isAutocommit { _ = try? connection.execute("ROLLBACK") }
                throw error
            }
        }
        let value: T
        do {
            value = try await body(sink)
        } catch {
            _ = queue.enqueue(.abort)
            do {
                _ = try await written
            } catch let writeError {
                // The writer failed first: its error is the cause, the body's only a consequence.
                if !(writeError is RebuildAborted) { throw writeError }
            }
            throw error
        }
        _ = queue.enqueue(.end)
        return (value, try await written)
    }


    /// Runs `body` on a new thread (SQLite blocks: never on the concurrency pool) and returns its result.
    private static func onOwnThread<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
                continuation.resume(with: Result { try body() })
            }
            thread.start()
        }
    }

    /// Runs on the rebuild's thread, inside its transaction.
    private static func consumeRebuild(
        _ queue: BlockingJobQueue<DerivedStateSink.Chunk>, on connection: SQLiteConnection, now: UnixTime, retryAt: UnixTime, maxAttempts: Int
    ) throws -> RebuildWriteSummary {
        var summary = RebuildWriteSummary()
        // Actions carried out before: counted by content, so the rebuild's copies of them are not recorded again.
        var done: [Int: Int] = [:]
        let doneHashes = try connection.query("SELECT subscription_id, kind, payload FROM actions WHERE status = 'done'") { ActionKey.hash(row: $0) }
        for hash in doneHashes {
            done[hash, default: 0] += 1
        }
        // Actions not carried out yet (or dead): if the rebuild decides them again they keep their status.
        var waiting: [ActionKey: [(status: String, attempts: Int64, lastError: String?, createdAt: Int64)]] = [:]
        let waitingRows = try connection.query(
            "SELECT subscription_id, kind, payload, status, attempts, last_error, created_at FROM actions WHERE status != 'done' ORDER BY seq"
        ) { row in (ActionKey(row: row), row.string(at: 3), row.int64(at: 4), row.optionalString(at: 5), row.int64(at: 6)) }
        for (key, status, attempts, lastError, createdAt) in waitingRows {
            waiting[key, default: []].append((status, attempts, lastError, createdAt))
        }
        try connection.execute("DELETE FROM subscriptions; DELETE FROM timers; DELETE FROM actions WHERE status != 'done';")
        // The actions arrive in event order, interleaving every subscription: kept up to date row by row, the index by
        // subscription would take each insert to a random leaf (a million page splits and re-reads). Dropped here and
        // created again from its own definition before COMMIT, it is built once, sorted; all in this transaction.
        let indexes = try connection.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'actions' AND sql IS NOT NULL AND sql NOT LIKE '% WHERE %'"
        ) { ($0.string(at: 0), $0.string(at: 1)) }
        for (name, _) in indexes { try connection.execute("DROP INDEX \"\(name)\"") }
        // Prepared once: a rebuild inserts about an action per event, and the statement cache's lookup by SQL text
        // (hashing it) plus a bindings array per row would cost more than the insert itself.
        let insertAction = try connection.prepare(
            """
            INSERT INTO actions (subscription_id, event_id, kind, created_at, status, attempts, last_error, completed_at, payload, payload_version)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \(OutboxPayload.version))
            """
        )
        defer { insertAction.finalize() }
        func insert(_ action: RebuildAction, status: String, attempts: Int64, lastError: String?, createdAt: Int64, completedAt: Int64?) throws {
            insertAction.reset()
            try insertAction.bind(action.subscriptionID, at: 1)
            try insertAction.bind(action.eventID, at: 2)
            try insertAction.bind(action.kind, at: 3)
            try insertAction.bind(createdAt, at: 4)
            try insertAction.bind(status, at: 5)
            try insertAction.bind(attempts, at: 6)
            try insertAction.bind(lastError, at: 7)
            try insertAction.bind(completedAt, at: 8)
            try insertAction.bind(action.payload, at: 9)
            _ = try insertAction.step()
        }
        while let chunks = queue.take(maximum: 64) {
            for chunk in chunks {
                switch chunk {
                case .actions(let actions):
                    for action in actions {
                        // Keys are built only when there is something to compare with (a first rebuild has nothing).
                        if !done.isEmpty, case let hash = ActionKey.hash(action), let count = done[hash], count > 0 {
                            done[hash] = count - 1
                            summary.actionsAlreadyRecorded += 1
                        } else if !waiting.isEmpty, case let key = ActionKey(action), var kept = waiting[key], !kept.isEmpty {
                            let old = kept.removeFirst()
                            waiting[key] = kept.isEmpty ? nil : kept
                            try insert(
                                action, status: old.status, attempts: old.attempts, lastError: old.lastError, createdAt: old.createdAt,
                                completedAt: nil
                            )
                            summary.actionsKept += 1
                        } else {
                            try insert(action, status: "done", attempts: 0, lastError: nil, createdAt: now.milliseconds, completedAt: now.milliseconds)
                            summary.actionsRecorded += 1
                        }
                    }
                case .outcomes(let outcomes):
                    for outcome in outcomes {
                        try record(outcome, on: connection, now: now, retryAt: retryAt, maxAttempts: maxAttempts)
                    }
                    summary.eventStatusesChanged += outcomes.count
                case .subscriptions(let records, let timers):
                    for record in records {
                        try apply(BillingCommit(subscription: record, at: record.updatedAt), on: connection)
                    }
                    for timer in timers {
                        try connection.run(
                            """
                            INSERT INTO timers (id, subscription_id, kind, fire_at) VALUES (?1, ?2, ?3, ?4)
                            ON CONFLICT (id) DO UPDATE SET fire_at = excluded.fire_at
                            """,
                            [.text(timer.id), .text(timer.subscriptionID), .text(timer.kind), .integer(timer.fireAt)]
                        )
                    }
                    summary.subscriptions += records.count
                    summary.timers += timers.count
                case .end:
                    for (_, sql) in indexes { try connection.execute(sql) }
                    return summary
                case .abort:
                    throw RebuildAborted()
                }
            }
        }
        // Closed without an end: treat as an abort, so a half-fed rebuild never commits.
        throw RebuildAborted()
    }

    private static func record(
        _ outcome: RebuildEventOutcome, on connection: SQLiteConnection, now: UnixTime, retryAt: UnixTime, maxAttempts: Int
    ) throws {
        switch outcome.status {
        case .failed, .dead:
            // The processor's rule (markFailed): one more failed attempt, dead once they reach the maximum.
            try connection.run(
                """
                UPDATE events SET attempts = attempts + 1, last_error = ?2,
                    status = CASE WHEN attempts + 1 >= ?4 THEN 'dead' ELSE 'failed' END,
                    next_attempt_at = CASE WHEN attempts + 1 >= ?4 THEN NULL ELSE ?3 END
                WHERE id = ?1
                """,
                [.text(outcome.id), .text(outcome.error ?? "replay failed"), .integer(retryAt.milliseconds), .integer(Int64(maxAttempts))]
            )
        case .pending, .processed, .ignored:
            try connection.run(
                "UPDATE events SET status = ?2, processed_at = ?3, next_attempt_at = NULL, last_error = NULL WHERE id = ?1",
                [.text(outcome.id), .text(outcome.status.rawValue), .integer(now.milliseconds)]
            )
        }
    }
}

/// Thrown inside the rebuild's write job when the rebuild gives up: rolls its savepoint back.
struct RebuildAborted: Error {}

/// An action's identity by content: same subscription, kind and payload.
private struct ActionKey: Hashable {
    var subscriptionID: String
    var kind: String
    var payload: [UInt8]

    init(_ action: RebuildAction) {
        (subscriptionID, kind, payload) = (action.subscriptionID, action.kind, action.payload)
    }

    init(row: SQLiteStatement) {
        (subscriptionID, kind, payload) = (row.string(at: 0), row.string(at: 1), row.blob(at: 2))
    }

    func hash(into hasher: inout Hasher) {
        Self.combine(subscriptionID, kind, payload, into: &hasher)
    }

    /// The hash of a done action's content: the rebuild counts done actions by this alone (a collision, one in 2⁶⁴,
    /// would only leave one history row unrecorded; the action is done either way).
    static func hash(_ action: RebuildAction) -> Int {
        var hasher = Hasher()
        combine(action.subscriptionID, action.kind, action.payload, into: &hasher)
        return hasher.finalize()
    }

    static func hash(row: SQLiteStatement) -> Int {
        var hasher = Hasher()
        combine(row.string(at: 0), row.string(at: 1), row.blob(at: 2), into: &hasher)
        return hasher.finalize()
    }

    // The payload as one block of bytes: Array's own hashing feeds the hasher a byte at a time.
    private static func combine(_ subscriptionID: String, _ kind: String, _ payload: [UInt8], into hasher: inout Hasher) {
        hasher.combine(subscriptionID)
        hasher.combine(kind)
        payload.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
