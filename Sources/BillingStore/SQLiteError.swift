import CSQLite

/// An error from the SQLite store: what failed (`code`), SQLite's extended result code and message, and the SQL involved.
public struct SQLiteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of operation failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case openFailed
            case prepareFailed
            case bindFailed
            case executionFailed
            case transactionFailed
            case migrationFailed
            case schemaTooNew
            case unexpectedValue
            case closed
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The database file could not be opened or configured.
        public static let openFailed = Code(.openFailed)
        /// A statement could not be compiled.
        public static let prepareFailed = Code(.prepareFailed)
        /// A parameter could not be bound.
        public static let bindFailed = Code(.bindFailed)
        /// A statement failed while running (constraint violation, I/O error, ...).
        public static let executionFailed = Code(.executionFailed)
        /// BEGIN, COMMIT or ROLLBACK failed, or SQLite rolled the transaction back itself: nothing of it is durable.
        public static let transactionFailed = Code(.transactionFailed)
        /// A schema migration failed; it was rolled back.
        public static let migrationFailed = Code(.migrationFailed)
        /// The database was migrated by a newer build than this one.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// A stored value has a type or content this build does not understand.
        public static let unexpectedValue = Code(.unexpectedValue)
        /// The database has been closed.
        public static let closed = Code(.closed)

        public var description: String { base.rawValue }
    }

    /// What failed.
    public var code: Code
    /// SQLite's extended result code (`SQLITE_IOERR_WRITE`, `SQLITE_CONSTRAINT_PRIMARYKEY`, ...); `SQLITE_ERROR` when not from SQLite.
    public var resultCode: Int32
    /// SQLite's message for the failure (`sqlite3_errmsg`), or our own explanation.
    public var message: String
    /// The SQL that failed, when there is one.
    public var sql: String?

    public init(code: Code, resultCode: Int32 = SQLITE_ERROR, message: String, sql: String? = nil) {
        self.code = code
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code (`SQLITE_IOERR` for `SQLITE_IOERR_WRITE`).
    public var primaryResultCode: Int32 { resultCode & 0xFF }

    /// True for UNIQUE, PRIMARY KEY, CHECK, NOT NULL and FOREIGN KEY violations.
    public var isConstraintViolation: Bool { primaryResultCode == SQLITE_CONSTRAINT }

    /// True when the storage itself failed (I/O error, disk full, read-only, corrupt, cannot open) rather than the SQL.
    public var isStorageFailure: Bool {
        switch primaryResultCode {
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY, SQLITE_CORRUPT, SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_PROTOCOL:
            return true
        default:
            return false
        }
    }

    public var description: String {
        var text = "SQLiteError(\(code)): \(message) [\(String(cString: sqlite3_errstr(resultCode))), code \(resultCode)]"
        if let sql {
            text += " in SQL: \(sql)"
        }
        return text
    }
}
