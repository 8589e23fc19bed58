import BillingStore
import Foundation
import MeterBridgeTesting
import TestPrimitives
import Testing

/// The WAL-buffering VFS the store's writer uses: fewer write calls, and the same bytes for every reader.
@Suite("WAL buffering VFS")
struct WALBufferTests {
    @Test func aCommitsFramesReachTheWALInAFewWriteCalls() throws {
        try Self.withBufferedWriter { buffered, directory in
            let plain = try Self.writer(directory.path + "/plain.sqlite", vfs: nil)
            defer { plain.close() }
            // 200 rows of 3 KB: at least 200 WAL frames, which the default VFS writes with two calls each.
            let bufferedCalls = try Self.writeCalls { try Self.insertRows(200, size: 3_000, seed: 1, on: buffered) }
            let plainCalls = try Self.writeCalls { try Self.insertRows(200, size: 3_000, seed: 1, on: plain) }
            #expect(plainCalls >= 400)
            // 200 frames of 4,120 bytes in 124 KB writes: 7 calls, plus the odd write SQLite makes outside a commit.
            #expect(bufferedCalls <= 20, "the buffered writer made \(bufferedCalls) write calls against \(plainCalls)")
        }
    }

    @Test func aTransactionLargerThanTheBufferAndThePageCacheReadsBackExactly() throws {
        try Self.withBufferedWriter { writer, directory in
            // A 1 MB page cache under a 12 MB transaction: SQLite spills frames to the WAL before the commit, reads some
            // of them back and writes some again, all through the buffer (its limit is 4 MB).
            try writer.execute("PRAGMA cache_size = -1024")
            try writer.execute("BEGIN IMMEDIATE")
            try Self.insertRows(3_000, size: 4_000, seed: 7, on: writer)
            // Rows written first are read back and changed within the same transaction.
            let early = try writer.query("SELECT body FROM t WHERE id < 10 ORDER BY id") { $0.blob(at: 0) }
            #expect(early == (0..<10).map { Self.body(row: $0, size: 4_000, seed: 7) })
            try writer.run("UPDATE t SET body = zeroblob(4000) WHERE id % 100 = 0")
            try writer.execute("COMMIT")

            // A connection through the default VFS, as the store's readers, the checkpointer and the CLI use.
            let reader = try SQLiteConnection(path: directory.databasePath)
            defer { reader.close() }
            let rows = try reader.query("SELECT id, body FROM t ORDER BY id") { ($0.int(at: 0), $0.blob(at: 1)) }
            #expect(rows.count == 3_000)
            let wrong = rows.filter { id, body in
                body != (id % 100 == 0 ? [UInt8](repeating: 0, count: 4_000) : Self.body(row: id, size: 4_000, seed: 7))
            }
            #expect(wrong.isEmpty, "\(wrong.count) rows read back differently, first id \(wrong.first?.0 ?? -1)")
            #expect(try reader.pragma("integrity_check") == "ok")
        }
    }

    @Test func anotherConnectionSeesACommitAsSoonAsItReturns() throws {
        try Self.withBufferedWriter { writer, directory in
            let reader = try SQLiteConnection(path: directory.databasePath)
            defer { reader.close() }
            for round in 1...50 {
                try writer.execute("BEGIN IMMEDIATE")
                try writer.run("INSERT INTO t (id, body) VALUES (?1, ?2)", [.integer(Int64(round)), .blob(Self.body(row: round, size: 900, seed: 3))])
                // Not committed yet: the reader's snapshot must not include it, whatever the buffer holds.
                #expect(try reader.query("SELECT count(*) FROM t") { $0.int(at: 0) } == [round - 1])
                try writer.execute("COMMIT")
                #expect(try reader.query("SELECT count(*) FROM t") { $0.int(at: 0) } == [round])
            }
        }
    }

    // MARK: - Helpers

    /// A writer through the WAL-buffering VFS on a fresh database, as the store's writer thread opens it.
    private static func withBufferedWriter(_ body: (SQLiteConnection, TemporaryDirectory) throws -> Void) throws {
        let vfs = try #require(SQLiteConnection.walBufferingVFS)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try writer(directory.databasePath, vfs: vfs)
        defer { writer.close() }
        try body(writer, directory)
    }

    /// A WAL connection with the writer's durability settings and one table.
    private static func writer(_ path: String, vfs: String?) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path, vfs: vfs)
        #expect(try connection.pragma("journal_mode = WAL") == "wal")
        try connection.execute("PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        return connection
    }

    /// Inserts rows 0..<count, in a transaction of their own unless one is open already.
    private static func insertRows(_ count: Int, size: Int, seed: UInt64, on connection: SQLiteConnection) throws {
        let own = connection.isAutocommit
        if own { try connection.execute("BEGIN IMMEDIATE") }
        for row in 0..<count {
            try connection.run("INSERT INTO t (id, body) VALUES (?1, ?2)", [.integer(Int64(row)), .blob(body(row: row, size: size, seed: seed))])
        }
        if own { try connection.execute("COMMIT") }
    }

    /// Bytes that differ from row to row, so a frame written to the wrong place cannot read back right.
    private static func body(row: Int, size: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed &* 1_000_003 &+ UInt64(row))
        return (0..<size).map { _ in UInt8.random(in: .min ... .max, using: &random) }
    }

    /// The write system calls (`syscw`) this thread makes while `body` runs. SQLite's connections here run on the
    /// calling thread, so the count is theirs alone, whatever other tests do meanwhile.
    private static func writeCalls(_ body: () throws -> Void) throws -> Int {
        let before = try threadWriteCalls()
        try body()
        return try threadWriteCalls() - before
    }

    private static func threadWriteCalls() throws -> Int {
        let text = try String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("syscw:") })
        return try #require(Int(line.dropFirst("syscw:".count).trimmingCharacters(in: .whitespaces)))
    }
}
