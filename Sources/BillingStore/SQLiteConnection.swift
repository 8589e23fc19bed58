import CSQLite
import CSQLiteWALBuffer

/// One SQLite connection. Not thread-safe: it is opened without SQLite's mutex and must be used by one thread at a time
/// (`SQLiteDatabase` gives each connection its own thread).
public final class SQLiteConnection {
    /// `sqlite3_open_v2` flags.
    public struct OpenFlags: OptionSet, Sendable {
        public let rawValue: Int32

        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        public static let readOnly = OpenFlags(rawValue: SQLITE_OPEN_READONLY)
        public static let readWrite = OpenFlags(rawValue: SQLITE_OPEN_READWRITE)
        public static let create = OpenFlags(rawValue: SQLITE_OPEN_CREATE)
        /// Multi-thread mode: no per-connection mutex, the caller guarantees single-threaded use.
        public static let noMutex = OpenFlags(rawValue: SQLITE_OPEN_NOMUTEX)
        /// Refuse a path whose last component is a symbolic link.
        public static let noFollow = OpenFlags(rawValue: SQLITE_OPEN_NOFOLLOW)
        /// Report extended result codes (`SQLITE_IOERR_WRITE` rather than `SQLITE_IOERR`).
        public static let extendedResultCodes = OpenFlags(rawValue: SQLITE_OPEN_EXRESCODE)

        /// Read-write, created when missing, multi-thread mode, extended result codes.
        public static let `default`: OpenFlags = [.readWrite, .create, .noMutex, .extendedResultCodes]
    }

    /// The path the connection was opened with.
    public let path: String
    private var handle: OpaquePointer?
    private var statementCache: [String: SQLiteStatement] = [:]

    /// The VFS that writes a commit's WAL frames in a few system calls instead of two per frame (wal_buffer.c), for a
    /// connection that syncs at every commit (`synchronous` FULL or EXTRA); nil when SQLite has no default VFS it can
    /// wrap. Registered with SQLite on first use.
    public static let walBufferingVFS: String? = mb_wal_buffer_vfs().map { String(cString: $0) }

    /// Opens `path` with explicit `flags`, through the VFS named `vfs` (SQLite's default when nil).
    public init(path: String, flags: OpenFlags = .default, vfs: String? = nil) throws {
        self.path = path
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags.rawValue, vfs)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            let code = db.map { sqlite3_extended_errcode($0) } ?? rc
            // sqlite3_open_v2 allocates a handle even when it fails; it must be closed.
            sqlite3_close_v2(db)
            throw SQLiteError(code: .openFailed, resultCode: code, message: "\(message) (\(path))")
        }
        self.handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        close()
    }

    /// The raw `sqlite3*`; precondition: not closed.
    var db: OpaquePointer {
        guard let handle else {
            preconditionFailure("SQLiteConnection used after close()")
        }
        return handle
    }

    /// Whether `close()` has run.
    public var isClosed: Bool { handle == nil }

    /// Finalizes the cached statements and closes the connection. Idempotent.
    public func close() {
        guard let handle else { return }
        for statement in statementCache.values {
            statement.finalize()
        }
        statementCache = [:]
        // close_v2 defers the close until any statement still held elsewhere is finalized.
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    /// How long a statement waits for a lock held by another connection before failing with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int32) throws {
        try check(sqlite3_busy_timeout(db, milliseconds), sql: nil, code: .executionFailed)
    }

    /// Runs one or more `;`-separated statements that return no rows of interest (DDL, pragmas).
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: .executionFailed, resultCode: sqlite3_extended_errcode(db), message: message, sql: sql)
        }
    }

    /// Compiles `sql` into a statement owned by the caller (finalized by `finalize()` or when released).
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, 0, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw error(rc, code: .prepareFailed, sql: sql)
        }
        return SQLiteStatement(handle: statement, sql: sql)
    }

    /// Runs `body` with a cached, prepared statement for `sql`; the statement is reset and its bindings cleared afterwards.
    ///
    /// Use this for statements that run often with a fixed SQL text: compiling happens once per connection.
    public func withStatement<R>(_ sql: String, _ body: (SQLiteStatement) throws -> R) throws -> R {
        let statement: SQLiteStatement
        if let cached = statementCache[sql] {
            statement = cached
        } else {
            var handle: OpaquePointer?
            let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
            guard rc == SQLITE_OK, let handle else {
                throw error(rc, code: .prepareFailed, sql: sql)
            }
            statement = SQLiteStatement(handle: handle, sql: sql)
            statementCache[sql] = statement
        }
        // Resetting also ends the statement's implicit read of the database, so a cached statement never pins a snapshot.
        defer { statement.reset() }
        return try body(statement)
    }

    /// Runs a cached statement with `bindings` to completion and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int {
        try withStatement(sql) { statement in
            try statement.bind(bindings)
            while try statement.step() {}
            return changes
        }
    }

    /// Runs a cached query with `bindings` and maps each row.
    public func query<R>(_ sql: String, _ bindings: [SQLiteValue] = [], row: (SQLiteStatement) throws -> R) throws -> [R] {
        try withStatement(sql) { statement in
            try statement.bind(bindings)
            var rows: [R] = []
            while try statement.step() {
                rows.append(try row(statement))
            }
            return rows
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(db)) }

    /// The rowid of the last successful INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }

    /// False while a transaction is open. SQLite rolls a transaction back by itself after some errors (I/O, disk full);
    /// this is how that is noticed.
    public var isAutocommit: Bool { sqlite3_get_autocommit(db) != 0 }

    /// Runs a pragma and returns the first column of its first row, if any.
    public func pragma(_ text: String) throws -> String? {
        let statement = try prepare("PRAGMA \(text)")
        defer { statement.finalize() }
        return try statement.step() ? statement.optionalString(at: 0) : nil
    }

    /// Number of statements currently cached.
    public var cachedStatementCount: Int { statementCache.count }

    func error(_ rc: Int32, code: SQLiteError.Code, sql: String?) -> SQLiteError {
        SQLiteError(rc, db: db, code: code, sql: sql)
    }

    func check(_ rc: Int32, sql: String?, code: SQLiteError.Code) throws {
        if rc != SQLITE_OK {
            throw error(rc, code: code, sql: sql)
        }
    }
}

extension SQLiteError {
    /// The error of a failed call that returned `rc` on `db`, with SQLite's message and extended code.
    init(_ rc: Int32, db: OpaquePointer?, code: Code, sql: String?) {
        guard let db else {
            self.init(code: code, resultCode: rc, message: String(cString: sqlite3_errstr(rc)), sql: sql)
            return
        }
        // The extended code is only meaningful right after the failing call; keep `rc` when the two disagree.
        let extended = sqlite3_extended_errcode(db)
        let resultCode = extended & 0xFF == rc & 0xFF ? extended : rc
        self.init(code: code, resultCode: resultCode, message: String(cString: sqlite3_errmsg(db)), sql: sql)
    }
}
