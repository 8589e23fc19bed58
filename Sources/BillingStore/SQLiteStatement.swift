import CSQLite

/// A value to bind to a statement parameter.
public enum SQLiteValue: Hashable, Sendable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// Tells SQLite to copy bound text and blobs before the bind call returns, so Swift buffers need not outlive it.
private var sqliteTransient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

/// A compiled statement: bind parameters (1-based), `step()` through rows, read columns (0-based), `reset()`.
public final class SQLiteStatement {
    private var handle: OpaquePointer?
    /// The SQL text the statement was compiled from.
    public let sql: String

    // No reference back to the connection: the connection caches statements, and errors are read through
    // sqlite3_db_handle instead. sqlite3_close_v2 keeps the connection alive until its last statement is finalized.
    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    private var stmt: OpaquePointer {
        guard let handle else {
            preconditionFailure("SQLiteStatement used after finalize(): \(sql)")
        }
        return handle
    }

    /// Releases the compiled statement. Idempotent.
    public func finalize() {
        sqlite3_finalize(handle)
        handle = nil
    }

    /// Resets the statement so it can run again, and clears its bindings.
    public func reset() {
        guard let handle else { return }
        // sqlite3_reset repeats the error of the last step; that error was already thrown by step().
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding

    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(stmt, index, value), code: .bindFailed)
    }

    public func bind(_ value: Int, at index: Int32) throws {
        try bind(Int64(value), at: index)
    }

    public func bind(_ value: Bool, at index: Int32) throws {
        try bind(Int64(value ? 1 : 0), at: index)
    }

    public func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(stmt, index, value), code: .bindFailed)
    }

    public func bind(_ value: String, at index: Int32) throws {
        // withCString always yields a valid pointer, also for "" (a nil pointer would bind NULL, not an empty string).
        let rc = value.withCString { pointer in
            sqlite3_bind_text64(stmt, index, pointer, UInt64(value.utf8.count), sqliteTransient, UInt8(SQLITE_UTF8))
        }
        try check(rc, code: .bindFailed)
    }

    public func bind(_ value: [UInt8], at index: Int32) throws {
        let rc: Int32
        if value.isEmpty {
            // An empty array may have no base address, and a nil pointer would bind NULL: bind a zero-length blob instead.
            rc = sqlite3_bind_zeroblob(stmt, index, 0)
        } else {
            rc = value.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(stmt, index, bytes.baseAddress, UInt64(bytes.count), sqliteTransient)
            }
        }
        try check(rc, code: .bindFailed)
    }

    public func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(stmt, index), code: .bindFailed)
    }

    public func bind(_ value: Int64?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    public func bind(_ value: String?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        switch value {
        case .integer(let integer): try bind(integer, at: index)
        case .real(let real): try bind(real, at: index)
        case .text(let text): try bind(text, at: index)
        case .blob(let blob): try bind(blob, at: index)
        case .null: try bindNull(at: index)
        }
    }

    /// Binds `values` to parameters 1...n.
    public func bind(_ values: [SQLiteValue]) throws {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    // MARK: Stepping

    /// Advances to the next row: true when a row is available, false when the statement is done.
    public func step() throws -> Bool {
        switch sqlite3_step(stmt) {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        case let rc:
            throw SQLiteError(rc, db: sqlite3_db_handle(stmt), code: .executionFailed, sql: sql)
        }
    }

    // MARK: Columns

    /// Number of columns in the result.
    public var columnCount: Int32 { sqlite3_column_count(stmt) }

    public func isNull(at column: Int32) -> Bool {
        sqlite3_column_type(stmt, column) == SQLITE_NULL
    }

    public func int64(at column: Int32) -> Int64 {
        sqlite3_column_int64(stmt, column)
    }

    public func optionalInt64(at column: Int32) -> Int64? {
        isNull(at: column) ? nil : int64(at: column)
    }

    public func int(at column: Int32) -> Int {
        Int(int64(at: column))
    }

    public func double(at column: Int32) -> Double {
        sqlite3_column_double(stmt, column)
    }

    /// The column as UTF-8 text; "" for NULL.
    public func string(at column: Int32) -> String {
        // sqlite3_column_text must be called before sqlite3_column_bytes (it may convert the value).
        guard let text = sqlite3_column_text(stmt, column) else { return "" }
        let count = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func optionalString(at column: Int32) -> String? {
        isNull(at: column) ? nil : string(at: column)
    }

    /// The column as bytes; empty for NULL and for a zero-length blob.
    public func blob(at column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(stmt, column) else { return [] }
        let count = Int(sqlite3_column_bytes(stmt, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    public func optionalBlob(at column: Int32) -> [UInt8]? {
        isNull(at: column) ? nil : blob(at: column)
    }

    /// The column with its storage class.
    public func value(at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(stmt, column) {
        case SQLITE_INTEGER: return .integer(int64(at: column))
        case SQLITE_FLOAT: return .real(double(at: column))
        case SQLITE_TEXT: return .text(string(at: column))
        case SQLITE_BLOB: return .blob(blob(at: column))
        default: return .null
        }
    }

    private func check(_ rc: Int32, code: SQLiteError.Code) throws {
        if rc != SQLITE_OK {
            throw SQLiteError(rc, db: sqlite3_db_handle(stmt), code: code, sql: sql)
        }
    }
}
