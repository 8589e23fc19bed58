import BillingStore
import CSQLite
import MeterBridgeTesting
import Testing

@Suite("SQLiteConnection")
struct SQLiteConnectionTests {
    @Test func bindsAndReadsEveryStorageClass() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let connection = try SQLiteConnection(path: directory.databasePath)
        defer { connection.close() }
        try connection.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")

        let bytes: [UInt8] = [0, 1, 2, 0xFF, 0]
        let text = "1 × Basic \u{0}end"
        try connection.run("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)", [.integer(.max), .real(2.5), .text(text), .blob(bytes), .null])
        try connection.run("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)", [.integer(.min), .real(-0.0), .text(""), .blob([]), .null])

        let rows = try connection.query("SELECT i, r, s, b, n FROM t ORDER BY rowid") { row in
            [row.value(at: 0), row.value(at: 1), row.value(at: 2), row.value(at: 3), row.value(at: 4)]
        }
        #expect(rows[0] == [.integer(.max), .real(2.5), .text(text), .blob(bytes), .null])
        // An empty string and an empty blob stay empty values; they must not become NULL.
        #expect(rows[1] == [.integer(.min), .real(-0.0), .text(""), .blob([]), .null])
    }

    @Test func cachedStatementsAreReusedAndReset() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let connection = try SQLiteConnection(path: directory.databasePath)
        defer { connection.close() }
        try connection.execute("CREATE TABLE t (v INTEGER)")
        for value in 1...5 {
            try connection.run("INSERT INTO t VALUES (?1)", [.integer(Int64(value))])
        }
        let sum = try connection.query("SELECT sum(v) FROM t") { $0.int(at: 0) }
        #expect(sum == [15])
        #expect(connection.cachedStatementCount == 2)
        // The statement was reset after use, so the table is not locked by a half-read cursor.
        try connection.execute("DROP TABLE t")
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let connection = try SQLiteConnection(path: directory.databasePath)
        defer { connection.close() }
        try connection.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")
        try connection.run("INSERT INTO t VALUES ('a')")

        let duplicate = #expect(throws: SQLiteError.self) {
            try connection.run("INSERT INTO t VALUES ('a')")
        }
        #expect(duplicate?.code == .executionFailed)
        #expect(duplicate?.resultCode == SQLITE_CONSTRAINT | (6 << 8))  // SQLITE_CONSTRAINT_PRIMARYKEY, a macro Swift cannot import
        #expect(duplicate?.isConstraintViolation == true)
        #expect(duplicate?.message.contains("UNIQUE constraint failed: t.id") == true)
        #expect(duplicate?.sql == "INSERT INTO t VALUES ('a')")

        let syntax = #expect(throws: SQLiteError.self) {
            _ = try connection.prepare("SELEC 1")
        }
        #expect(syntax?.code == .prepareFailed)
        #expect(syntax?.sql == "SELEC 1")
    }

    @Test func openingAMissingDirectoryFails() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: SQLiteError.self) {
            _ = try SQLiteConnection(path: directory.path + "/missing/db.sqlite")
        }
        #expect(error?.code == .openFailed)
        #expect(error?.primaryResultCode == SQLITE_CANTOPEN)
    }
}
