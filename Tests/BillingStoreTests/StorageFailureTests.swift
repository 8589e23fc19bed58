import BillingStore
import Foundation
import MeterBridgeTesting
import Testing

/// A store whose disk stops accepting writes must fail loudly: no event may be reported stored unless it was committed.
///
/// How the disk is broken: the test replaces, inside this process, every file descriptor SQLite holds on the database
/// file and its WAL with a read-only descriptor of the same file (`dup2`). Reads keep working; every write SQLite
/// attempts fails with EBADF, which SQLite reports as `SQLITE_IOERR_*`, as it would for a disk that went read-only or
/// failed. Unlike `chmod`, this also works when the tests run as root (root ignores file permissions), and unlike
/// removing the directory (open files stay writable after unlink) it really makes writes fail.
@Suite("Storage failure")
struct StorageFailureTests {
    @Test(.enabled(if: StorageFaults.isSupported, "needs /proc/self/fd (Linux)"))
    func aStoreThatCannotWriteThrowsAndAcknowledgesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.databasePath
        let database = try await SQLiteDatabase.open(path: path, logger: testLogger)
        #expect(try await database.store(makeEvent(id: "evt_before")) == .inserted)
        try await database.checkWritable()

        let replaced = try StorageFaults.makeReadOnly(paths: [path, path + "-wal"])
        #expect(replaced >= 2, "expected descriptors for the database and its WAL")

        let storeError = await #expect(throws: SQLiteError.self) { try await database.store(makeEvent(id: "evt_lost")) }
        #expect(storeError?.code == .transactionFailed)
        #expect(storeError?.isStorageFailure == true, "\(String(describing: storeError))")
        let checkError = await #expect(throws: SQLiteError.self) { try await database.checkWritable() }
        #expect(checkError?.isStorageFailure == true)

        // Several writers in one batch: each gets the error, none is acknowledged.
        let failures = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask { (try? await database.store(makeEvent(id: "evt_batch_\(index)"))) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 50)
        #expect(database.failedTransactionCount >= 3)

        // What was committed before stays readable; nothing of the failed writes is visible.
        #expect(try await database.event(id: "evt_before") != nil)
        #expect(try await database.event(id: "evt_lost") == nil)
        await database.close()

        let reopened = try await SQLiteDatabase.open(path: path, logger: testLogger)
        #expect(try await reopened.events(EventQuery()).map(\.id) == ["evt_before"])
        #expect(try await reopened.store(makeEvent(id: "evt_lost")) == .inserted)
        try await reopened.checkWritable()
        await reopened.close()
    }
}
