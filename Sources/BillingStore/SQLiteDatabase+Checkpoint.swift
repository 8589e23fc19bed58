import CSQLite
import Logging
import Synchronization

/// Coordinates WAL checkpoints between the writer thread and the checkpointer thread.
///
/// A checkpoint copies committed pages from the WAL back into the database file and fsyncs it. SQLite's default runs
/// it inside the commit of the writer that crosses 1,000 pages, so every few hundred events one commit (and every
/// webhook waiting on it) also pays for writing and syncing megabytes. Here the writer only asks; a separate thread and
/// connection copies the pages while the writer goes on committing. The writer checkpoints by itself only when the WAL
/// passes `walSizeLimitPages`: that bounds the WAL, which can only restart from its beginning once a checkpoint has
/// caught up between two commits, and under constant load only the writer can make sure of that.
final class CheckpointSignal: Sendable {
    let backgroundPages: Int32
    let writerPages: Int32
    let requests = BlockingJobQueue<CheckpointRequest>()
    /// Whether a request is queued and not yet taken: the writer asks at most once per checkpoint.
    private let requested = Atomic<Bool>(false)
    /// WAL pages after the last commit (for metrics).
    let walPages = Atomic<Int>(0)

    init(backgroundPages: Int, writerPages: Int) {
        self.backgroundPages = Int32(clamping: backgroundPages)
        self.writerPages = Int32(clamping: max(writerPages, backgroundPages))
    }

    /// Writer side, after each commit: returns true when the writer itself must checkpoint now.
    func committed(walPages pages: Int32) -> Bool {
        walPages.store(Int(pages), ordering: .relaxed)
        if pages >= writerPages {
            return true
        }
        if pages >= backgroundPages, !requested.exchange(true, ordering: .acquiringAndReleasing) {
            _ = requests.enqueue(CheckpointRequest())
        }
        return false
    }

    /// Checkpointer side: waits for a request; false once closed.
    func waitForRequest() -> Bool {
        guard requests.take(maximum: .max) != nil else { return false }
        requested.store(false, ordering: .releasing)
        return true
    }
}

struct CheckpointRequest: Sendable {}

extension SQLiteDatabase {
    /// Installs the WAL hook on the writer connection; the returned box must outlive the connection.
    static func installWALHook(on connection: SQLiteConnection, signal: CheckpointSignal) -> Unmanaged<CheckpointSignal> {
        let box = Unmanaged.passRetained(signal)
        // Replaces SQLite's own auto-checkpoint hook (sqlite3_wal_hook and wal_autocheckpoint are exclusive).
        sqlite3_wal_hook(
            connection.db,
            { context, db, name, pages in
                guard let context else { return SQLITE_OK }
                let signal = Unmanaged<CheckpointSignal>.fromOpaque(context).takeUnretainedValue()
                if signal.committed(walPages: pages) {
                    // What SQLite's default hook does, on this thread: its result is not the commit's, which is durable.
                    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                }
                return SQLITE_OK
            },
            box.toOpaque()
        )
        return box
    }

    /// The checkpointer thread: runs a PASSIVE checkpoint (never blocking the writer or readers) per request.
    static func runCheckpointer(path: String, logger: Logger, signal: CheckpointSignal, ready: () -> Void) throws {
        let connection = try SQLiteConnection(path: path, flags: .default)
        defer { connection.close() }
        try connection.execute("PRAGMA synchronous = FULL; PRAGMA fullfsync = ON; PRAGMA checkpoint_fullfsync = ON;")
        ready()
        var failing = false
        while signal.waitForRequest() {
            var walFrames: Int32 = 0
            var checkpointed: Int32 = 0
            let rc = sqlite3_wal_checkpoint_v2(connection.db, nil, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &checkpointed)
            // BUSY only means another checkpoint is running; the next request will catch up.
            if rc != SQLITE_OK && rc != SQLITE_BUSY {
                if !failing {
                    failing = true
                    let error = connection.error(rc, code: .executionFailed, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                    logger.error("SQLite WAL checkpoint failed", metadata: ["sqlite.error": "\(error)"])
                }
            } else if failing {
                failing = false
                logger.info("SQLite WAL checkpoints work again")
            }
        }
    }
}
