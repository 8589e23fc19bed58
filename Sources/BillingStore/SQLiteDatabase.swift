import CSQLite
import Foundation
import Logging
import Synchronization

/// The embedded SQLite store: one writer thread that group-commits every write job, and a small pool of reader threads.
///
/// Each connection lives on its own thread, so SQLite's blocking calls (fsync, locks, I/O) never run on the Swift
/// concurrency pool. Callers suspend on a continuation until their job has run (and, for writes, has been committed).
public final class SQLiteDatabase: Sendable {
    /// Tuning knobs; the defaults suit the service.
    public struct Configuration: Sendable {
        /// Reader connections, each on its own thread (2).
        public var readerCount: Int
        /// How long a statement waits for a lock held by another process, e.g. the CLI (5 s).
        public var busyTimeout: Duration
        /// Most write jobs committed in one transaction (2,048).
        public var maxBatchSize: Int
        /// Page cache of the writer connection, in KiB (16,384); readers get half.
        public var cacheSizeKiB: Int
        /// WAL size, in pages, from which the checkpointer thread copies the WAL back into the database (1,000).
        public var backgroundCheckpointPages: Int
        /// WAL size, in pages, from which the writer checkpoints by itself after a commit, to bound the WAL (10,000).
        public var walSizeLimitPages: Int
        /// The schema, in version order (`Migration.all`).
        public var migrations: [Migration]

        public init(
            readerCount: Int = 2,
            busyTimeout: Duration = .seconds(5),
            maxBatchSize: Int = 2048,
            cacheSizeKiB: Int = 16384,
            backgroundCheckpointPages: Int = 1000,
            walSizeLimitPages: Int = 10000,
            migrations: [Migration] = Migration.all
        ) {
            self.readerCount = readerCount
            self.busyTimeout = busyTimeout
            self.maxBatchSize = maxBatchSize
            self.cacheSizeKiB = cacheSizeKiB
            self.backgroundCheckpointPages = backgroundCheckpointPages
            self.walSizeLimitPages = walSizeLimitPages
            self.migrations = migrations
        }
    }

    /// The database file.
    public let path: String
    public let configuration: Configuration
    let logger: Logger
    let writeQueue: BlockingJobQueue<WriteJob>
    let readQueue: BlockingJobQueue<ReadJob>
    let statistics: WriterStatistics
    let checkpoints: CheckpointSignal
    private let threadsExited: ExitLatch

    private init(
        path: String,
        configuration: Configuration,
        logger: Logger,
        writeQueue: BlockingJobQueue<WriteJob>,
        readQueue: BlockingJobQueue<ReadJob>,
        statistics: WriterStatistics,
        checkpoints: CheckpointSignal,
        threadsExited: ExitLatch
    ) {
        self.path = path
        self.configuration = configuration
        self.logger = logger
        self.writeQueue = writeQueue
        self.readQueue = readQueue
        self.statistics = statistics
        self.checkpoints = checkpoints
        self.threadsExited = threadsExited
    }

    deinit {
        // Without close(), the threads still finish what is queued, close their connections and exit.
        writeQueue.close()
        readQueue.close()
        checkpoints.requests.close()
    }

    /// Opens (creating it when missing) the database at `path`, starts its threads and, when `migrate` is true, brings
    /// the schema up to date. A database whose schema is newer than this build is refused either way.
    public static func open(
        path: String,
        configuration: Configuration = Configuration(),
        logger: Logger,
        migrate: Bool = true
    ) async throws -> SQLiteDatabase {
        precondition(configuration.readerCount >= 1, "readerCount must be at least 1")
        precondition(configuration.maxBatchSize >= 1, "maxBatchSize must be at least 1")
        let database = SQLiteDatabase(
            path: path,
            configuration: configuration,
            logger: logger,
            writeQueue: BlockingJobQueue(),
            readQueue: BlockingJobQueue(),
            statistics: WriterStatistics(),
            checkpoints: CheckpointSignal(
                backgroundPages: configuration.backgroundCheckpointPages,
                writerPages: configuration.walSizeLimitPages
            ),
            threadsExited: ExitLatch()
        )
        do {
            // The writer goes first: it switches the file to WAL, which the readers then find.
            try await database.startThread(name: "sqlite-writer") {
                [writeQueue = database.writeQueue, statistics = database.statistics, checkpoints = database.checkpoints] ready in
                // The threads capture the queues, never the database: dropping the database closes the queues (deinit).
                try Self.runWriter(path: path, configuration: configuration, logger: logger, queue: writeQueue,
                                   statistics: statistics, checkpoints: checkpoints, ready: ready)
            }
            try await database.startThread(name: "sqlite-checkpoint") { [checkpoints = database.checkpoints] ready in
                try Self.runCheckpointer(path: path, logger: logger, signal: checkpoints, ready: ready)
            }
            for index in 0..<configuration.readerCount {
                try await database.startThread(name: "sqlite-reader-\(index)") { [readQueue = database.readQueue] ready in
                    try Self.runReader(path: path, configuration: configuration, queue: readQueue, ready: ready)
                }
            }
            let version = try await database.schemaVersion()
            let latest = configuration.migrations.map(\.version).max() ?? 0
            if version > latest {
                throw SQLiteError.schemaTooNew(version: version, latest: latest, path: path)
            }
            if migrate {
                try await database.migrate()
            }
        } catch {
            await database.close()
            throw error
        }
        logger.info("SQLite store opened", metadata: ["sqlite.path": "\(path)", "sqlite.readers": "\(configuration.readerCount)"])
        return database
    }

    /// Starts a thread running `body`, and returns once `body` reports its connection open (or throws its open error).
    private func startThread(
        name: String,
        _ body: @escaping @Sendable (_ ready: @escaping @Sendable () -> Void) throws -> Void
    ) async throws {
        threadsExited.enter()
        let latch = threadsExited
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                setCurrentThreadName(name)
                defer { latch.leave() }
                do {
                    try body { continuation.resume() }
                } catch {
                    // Only opening can throw: the loops themselves hand every error to the job it belongs to.
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }

    // MARK: Reads and writes

    /// Runs `job` inside the next group commit and returns its result once that transaction is durably committed.
    ///
    /// The job runs on the writer thread inside its own SAVEPOINT: if it throws, only its changes are rolled back and
    /// only its caller gets the error. If the transaction cannot commit, every job in it gets the error and none of
    /// their changes persist. A job must not BEGIN, COMMIT or ROLLBACK itself, nor keep the connection after it returns
    /// (the connection belongs to the writer thread). Once queued a job cannot be cancelled.
    @discardableResult
    public func write<T: Sendable>(_ job: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let writeJob = WriteJob(
                perform: { connection in
                    let value = try job(connection)
                    return { commitError in
                        if let commitError {
                            continuation.resume(throwing: commitError)
                        } else {
                            continuation.resume(returning: value)
                        }
                    }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            if !writeQueue.enqueue(writeJob) {
                continuation.resume(throwing: SQLiteError.closed(path: path))
            }
        }
    }

    /// Runs `body` on a reader connection, inside one read transaction (a consistent snapshot of the last commit).
    /// The connection refuses writes and must not be kept after `body` returns.
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let readJob = ReadJob { connection in
                continuation.resume(
                    with: Result {
                        try connection.run("BEGIN")
                        defer {
                            if !connection.isAutocommit {
                                _ = try? connection.run("COMMIT")
                            }
                        }
                        return try body(connection)
                    }
                )
            }
            if !readQueue.enqueue(readJob) {
                continuation.resume(throwing: SQLiteError.closed(path: path))
            }
        }
    }

    /// Stops accepting work, lets the threads finish every queued read and write, then closes the connections.
    /// Idempotent; later calls of `read` and `write` throw `SQLiteError.Code.closed`.
    public func close() async {
        writeQueue.close()
        readQueue.close()
        checkpoints.requests.close()
        await threadsExited.wait()
        logger.debug("SQLite store closed", metadata: ["sqlite.path": "\(path)"])
    }

    /// True once `close()` has been called: new reads and writes are refused.
    public var isClosed: Bool { writeQueue.isClosed }

    // MARK: Metrics

    /// Transactions committed by the writer since open (each is one fsync of the WAL).
    public var commitCount: Int { statistics.commits.load(ordering: .relaxed) }

    /// Write jobs committed since open (successful jobs only).
    public var committedWriteCount: Int { statistics.committedWrites.load(ordering: .relaxed) }

    /// Write transactions that failed to begin or commit since open (every job in them got the error).
    public var failedTransactionCount: Int { statistics.failedTransactions.load(ordering: .relaxed) }

    /// Write jobs waiting for the writer thread.
    public var queuedWriteCount: Int { writeQueue.count }

    /// Pages in the WAL after the last commit (grows until a checkpoint lets the WAL restart).
    public var walPageCount: Int { checkpoints.walPages.load(ordering: .relaxed) }
}

/// Names the calling thread (shown by `top -H`, perf and crash reports).
///
/// On Linux through /proc: Foundation's `Thread.name` is applied only if the creating thread has already recorded the
/// new thread's handle (a race), pthread_setname_np is not visible to Swift there, and an unnamed Linux thread keeps
/// the name of the thread that created it (a concurrency-pool thread). The kernel keeps at most 15 bytes.
private func setCurrentThreadName(_ name: String) {
    #if os(Linux)
    try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
    #else
    Thread.current.name = name
    #endif
}

/// Writer counters, shared between the writer thread and readers of the metrics.
final class WriterStatistics: Sendable {
    let commits = Atomic<Int>(0)
    let committedWrites = Atomic<Int>(0)
    let failedTransactions = Atomic<Int>(0)
}

extension SQLiteError {
    static func closed(path: String) -> SQLiteError {
        SQLiteError(code: .closed, resultCode: SQLITE_MISUSE, message: "The database is closed (\(path))")
    }

    static func schemaTooNew(version: Int, latest: Int, path: String) -> SQLiteError {
        SQLiteError(
            code: .schemaTooNew,
            message: "The database schema is at version \(version) but this build knows versions up to \(latest) only;"
                + " it was migrated by a newer meterbridge. Run that version, or restore a backup (\(path))"
        )
    }
}
