import BillingCore
import CSQLite
import Logging
import Synchronization

/// Resumes a write's caller once the outcome of its transaction is known: nil when committed, else the error.
typealias WriteSettlement = @Sendable ((any Error)?) -> Void

/// A queued write: `perform` runs the caller's body on the writer connection and, when it succeeds, returns how to
/// resume the caller after the commit; `fail` resumes the caller with an error. Exactly one of the two resumes it.
struct WriteJob: Sendable {
    let perform: @Sendable (SQLiteConnection) throws -> WriteSettlement
    let fail: @Sendable (any Error) -> Void
}

/// A queued read: runs on a reader connection and resumes its caller itself.
struct ReadJob: Sendable {
    let run: @Sendable (SQLiteConnection) -> Void
}

extension SQLiteDatabase {
    /// The writer thread: opens the one write connection, then commits batches until the queue is closed and drained.
    static func runWriter(
        path: String,
        configuration: Configuration,
        logger: Logger,
        queue: BlockingJobQueue<WriteJob>,
        statistics: WriterStatistics,
        checkpoints: CheckpointSignal,
        ready: () -> Void
    ) throws {
        // Through the WAL-buffering VFS: a commit's frames reach the WAL in writes of 124 KB, not two writes per frame.
        let connection = try SQLiteConnection(path: path, flags: .default, vfs: SQLiteConnection.walBufferingVFS)
        let walHook = installWALHook(on: connection, signal: checkpoints)
        defer {
            // Closed first: the hook's context must stay valid as long as the connection may call it.
            connection.close()
            walHook.release()
        }
        try connection.setBusyTimeout(milliseconds: configuration.busyTimeoutMilliseconds)
        // WAL: readers never block the writer nor it them, and a commit appends to one file with one fsync.
        let journalMode = try connection.pragma("journal_mode = WAL")
        guard journalMode == "wal" else {
            throw SQLiteError(code: .openFailed, message: "Could not switch \(path) to WAL journal mode (it is \(journalMode ?? "unknown"))")
        }
        // synchronous=FULL: in WAL mode NORMAL skips the fsync at commit, so a power loss could lose transactions that
        // were already acknowledged (Stripe got its 2xx). FULL fsyncs the WAL at every commit; group commit pays it
        // once per batch. fullfsync makes that fsync reach the platter on Darwin (no effect on Linux).
        try connection.execute(
            """
            PRAGMA synchronous = FULL;
            PRAGMA fullfsync = ON;
            PRAGMA checkpoint_fullfsync = ON;
            PRAGMA foreign_keys = ON;
            PRAGMA temp_store = MEMORY;
            PRAGMA cache_size = -\(configuration.cacheSizeKiB);
            PRAGMA journal_size_limit = 67108864;
            """
        )
        // The WAL-buffering VFS writes a commit's frames out at its sync; a commit that did not sync would leave frames
        // in the buffer that the wal-index already points readers to (wal_buffer.c).
        if SQLiteConnection.walBufferingVFS != nil, let level = try connection.pragma("synchronous").flatMap(Int.init), level < 2 {
            throw SQLiteError(code: .openFailed, message: "The writer connection of \(path) must sync at every commit (synchronous is \(level))")
        }
        ready()
        var committer = GroupCommitter(connection: connection, logger: logger, statistics: statistics)
        while let batch = queue.take(maximum: configuration.maxBatchSize) {
            committer.commit(batch)
        }
    }

    /// A reader thread: opens a query-only connection, then serves reads until the queue is closed and drained.
    static func runReader(path: String, configuration: Configuration, queue: BlockingJobQueue<ReadJob>, ready: () -> Void) throws {
        let connection = try SQLiteConnection(path: path, flags: .default)
        defer { connection.close() }
        try connection.setBusyTimeout(milliseconds: configuration.busyTimeoutMilliseconds)
        // Read-write open (so it can share the WAL index) but refusing writes: all writes go through the writer thread.
        try connection.execute(
            """
            PRAGMA query_only = ON;
            PRAGMA foreign_keys = ON;
            PRAGMA temp_store = MEMORY;
            PRAGMA cache_size = -\(max(configuration.cacheSizeKiB / 2, 1024));
            """
        )
        ready()
        while let jobs = queue.take(maximum: 1) {
            for job in jobs {
                job.run(connection)
            }
        }
    }
}

extension SQLiteDatabase.Configuration {
    var busyTimeoutMilliseconds: Int32 {
        Int32(clamping: busyTimeout.wholeMilliseconds)
    }
}

/// Runs batches of write jobs as one transaction each, on the writer thread only.
struct GroupCommitter {
    let connection: SQLiteConnection
    let logger: Logger
    let statistics: WriterStatistics
    /// Whether the last transaction failed: log the change of state, not every failing batch.
    private var failing = false

    init(connection: SQLiteConnection, logger: Logger, statistics: WriterStatistics) {
        self.connection = connection
        self.logger = logger
        self.statistics = statistics
    }

    /// BEGIN, each job inside its own SAVEPOINT, one COMMIT (one fsync), then resume every caller.
    ///
    /// The savepoints are what make group commit safe: a job that throws (a constraint violation, a bug, a validation
    /// error) is rolled back alone and gets its own error, while the others in the batch still commit.
    mutating func commit(_ batch: [WriteJob]) {
        // IMMEDIATE takes the write lock now, so another process (the CLI) makes us wait here (busy timeout),
        // never fail halfway through the batch.
        do {
            try connection.run("BEGIN IMMEDIATE")
        } catch {
            abort(batch[...], settled: [], cause: error, stage: "BEGIN")
            return
        }
        var settled: [WriteSettlement] = []
        settled.reserveCapacity(batch.count)
        for index in batch.indices {
            let job = batch[index]
            do {
                try connection.run("SAVEPOINT job")
            } catch {
                abort(batch[index...], settled: settled, cause: error, stage: "SAVEPOINT")
                return
            }
            do {
                let settle = try job.perform(connection)
                guard !connection.isAutocommit else {
                    let misuse = SQLiteError(code: .transactionFailed, resultCode: SQLITE_MISUSE, message: "A write job ended the transaction itself")
                    job.fail(misuse)
                    abort(batch[(index + 1)...], settled: settled, cause: misuse, stage: "job")
                    return
                }
                try connection.run("RELEASE job")
                settled.append(settle)
            } catch {
                // After an I/O error or a full disk SQLite may already have rolled back the whole transaction:
                // the jobs before this one are lost too, so nobody in the batch may be told "committed".
                if connection.isAutocommit {
                    job.fail(error)
                    abort(batch[(index + 1)...], settled: settled, cause: error, stage: "job")
                    return
                }
                do {
                    try connection.run("ROLLBACK TO job")
                    try connection.run("RELEASE job")
                } catch let rollbackError {
                    job.fail(error)
                    abort(batch[(index + 1)...], settled: settled, cause: rollbackError, stage: "ROLLBACK TO")
                    return
                }
                job.fail(error)
            }
        }
        do {
            try connection.run("COMMIT")
        } catch {
            abort(batch[batch.endIndex...], settled: settled, cause: error, stage: "COMMIT")
            return
        }
        statistics.commits.add(1, ordering: .relaxed)
        statistics.committedWrites.add(settled.count, ordering: .relaxed)
        if failing {
            failing = false
            logger.info("SQLite store commits again")
        }
        for settle in settled {
            settle(nil)
        }
    }

    /// Rolls the transaction back (if SQLite has not already) and fails every job of the batch: those already run
    /// (`settled`) and those not yet run (`remaining`).
    private mutating func abort(_ remaining: ArraySlice<WriteJob>, settled: [WriteSettlement], cause: any Error, stage: String) {
        if !connection.isAutocommit {
            _ = try? connection.run("ROLLBACK")
        }
        let error = SQLiteError(transactionFailedBecause: cause, stage: stage)
        statistics.failedTransactions.add(1, ordering: .relaxed)
        if !failing {
            failing = true
            logger.error(
                "SQLite store cannot commit",
                metadata: ["sqlite.error": "\(error)", "sqlite.batch.size": "\(settled.count + remaining.count)"]
            )
        }
        for settle in settled {
            settle(error)
        }
        for job in remaining {
            job.fail(error)
        }
    }
}

extension SQLiteError {
    /// The error given to every job of a transaction that could not commit.
    init(transactionFailedBecause cause: any Error, stage: String) {
        if let cause = cause as? SQLiteError {
            self.init(
                code: .transactionFailed,
                resultCode: cause.resultCode,
                message: "The write transaction failed at \(stage) and was rolled back: \(cause.message)",
                sql: cause.sql
            )
        } else {
            self.init(code: .transactionFailed, message: "The write transaction failed at \(stage) and was rolled back: \(cause)")
        }
    }
}
