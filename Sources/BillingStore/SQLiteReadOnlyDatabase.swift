import BillingCore
import CSQLite
import Foundation
import Logging

/// A store file opened so that nothing can write to it: `replay --dry-run` reads through this.
///
/// One connection opened with `SQLITE_OPEN_READONLY` on its own thread. Unlike `SQLiteDatabase.open` it creates
/// nothing, migrates nothing, beats no heartbeat and never checkpoints: the database file stays byte for byte as it
/// was, even while `serve` writes to it (SQLite may create the `-wal`/`-shm` side files when they are missing, as any
/// reader of a WAL database must).
public final class SQLiteReadOnlyDatabase: Sendable {
    public let path: String
    private let queue = BlockingJobQueue<ReadJob>()
    private let exited = ExitLatch()

    private init(path: String) {
        self.path = path
    }

    deinit {
        queue.close()
    }

    /// Opens the existing store at `path`; refuses a missing file and a schema other than this build's.
    public static func open(path: String, busyTimeout: Duration = .seconds(5), logger: Logger) async throws -> SQLiteReadOnlyDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SQLiteError(code: .openFailed, resultCode: SQLITE_CANTOPEN, message: "No store at \(path)")
        }
        let database = SQLiteReadOnlyDatabase(path: path)
        database.exited.enter()
        let (queue, exited) = (database.queue, database.exited)
        let milliseconds = Int32(clamping: busyTimeout.wholeMilliseconds)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                defer { exited.leave() }
                let connection: SQLiteConnection
                do {
                    connection = try SQLiteConnection(path: path, flags: [.readOnly, .noMutex, .extendedResultCodes])
                    try connection.setBusyTimeout(milliseconds: milliseconds)
                    try connection.execute("PRAGMA query_only = ON;")
                } catch {
                    queue.close()
                    continuation.resume(throwing: error)
                    return
                }
                defer { connection.close() }
                continuation.resume()
                while let jobs = queue.take(maximum: 1) {
                    for job in jobs { job.run(connection) }
                }
            }
            thread.start()
        }
        do {
            let version = try await database.read { connection in
                try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations") { $0.int(at: 0) }.first ?? 0
            }
            let latest = Migration.all.map(\.version).max() ?? 0
            guard version == latest else {
                throw SQLiteError(
                    code: .schemaTooNew,
                    message: "The store's schema is at version \(version) and this build's at \(latest): run `meterbridge migrate` with the "
                        + "matching build first (\(path))"
                )
            }
        } catch {
            await database.close()
            throw error
        }
        logger.debug("SQLite store opened read-only", metadata: ["sqlite.path": "\(path)"])
        return database
    }

    /// Runs `body` in one read transaction (a consistent snapshot).
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = ReadJob { connection in
                continuation.resume(
                    with: Result {
                        try connection.run("BEGIN")
                        defer { if !connection.isAutocommit { _ = try? connection.run("COMMIT") } }
                        return try body(connection)
                    }
                )
            }
            if !queue.enqueue(job) {
                continuation.resume(throwing: SQLiteError(code: .closed, resultCode: SQLITE_MISUSE, message: "The database is closed (\(path))"))
            }
        }
    }

    /// Finishes queued reads and closes the connection.
    public func close() async {
        queue.close()
        await exited.wait()
    }
}

extension SQLiteReadOnlyDatabase: StoredEventReader {
    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        try await read { try SQLiteDatabase.select(query, on: $0) }
    }

    public func replayRows(after cursor: EventCursor?, limit: Int) async throws -> [ReplayRow] {
        try await read { try SQLiteDatabase.replayRows(after: cursor, limit: limit, on: $0) }
    }

    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await read { connection in
            try connection.query(
                "SELECT id, customer_id, updated_at, state FROM subscriptions WHERE id = ?1", [.text(id)], row: SubscriptionRecord.init(row:)
            ).first
        }
    }

    public func subscriptions() async throws -> [SubscriptionRecord] {
        try await read { connection in
            try connection.query("SELECT id, customer_id, updated_at, state FROM subscriptions ORDER BY id", row: SubscriptionRecord.init(row:))
        }
    }

    public func counts() async throws -> [EventStatus: Int] {
        try await read { connection in
            var counts = Dictionary(uniqueKeysWithValues: EventStatus.allCases.map { ($0, 0) })
            let rows = try connection.query("SELECT status, count(*) FROM events GROUP BY status") {
                (try EventStatus(column: 0, of: $0), $0.int(at: 1))
            }
            for (status, count) in rows {
                counts[status] = count
            }
            return counts
        }
    }

    public func customersWithUnsentUsageReports() async throws -> Set<String> {
        try await read { try SQLiteDatabase.customersWithUnsentUsageReports(on: $0) }
    }
}
