import BillingStore
import MeterBridgeTesting
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    @Test func concurrentStoresLandExactlyOnce() async throws {
        try await withDatabase { database, _ in
            let unique = 2_000
            // Every id is sent twice at the same time, as Stripe may do: one insert and one duplicate each.
            let outcomes = try await withThrowingTaskGroup(of: InboxInsertOutcome.self) { group in
                for index in 0..<(unique * 2) {
                    group.addTask {
                        try await database.store(makeEvent(id: "evt_\(index % unique)", created: Int64(index % unique)))
                    }
                }
                return try await group.reduce(into: [InboxInsertOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .inserted }.count == unique)
            #expect(outcomes.filter { $0 == .duplicate(status: .pending) }.count == unique)
            let rows = try await database.read { connection in
                try connection.query("SELECT count(*), count(DISTINCT id) FROM events") { [$0.int(at: 0), $0.int(at: 1)] }
            }
            #expect(rows == [[unique, unique]])
            // Each commit is one fsync: concurrent writers must share them.
            #expect(database.commitCount < outcomes.count)
        }
    }

    @Test func queuedWritesShareOneCommit() async throws {
        try await withDatabase { database, _ in
            let writes = 2_000
            let hold = await WriterHold(database)
            let commitsBefore = database.commitCount
            try await withThrowingTaskGroup(of: InboxInsertOutcome.self) { group in
                for index in 0..<writes {
                    group.addTask { try await database.store(makeEvent(id: "evt_\(index)")) }
                }
                try await waitUntil("all \(writes) writes are queued") { database.queuedWriteCount == writes }
                try await hold.release()
                for try await outcome in group {
                    #expect(outcome == .inserted)
                }
            }
            // One commit for the holding job, one for the 2,000 writes queued behind it.
            #expect(database.commitCount - commitsBefore == 2)
            #expect(try await database.counts()[.pending] == writes)
        }
    }

    @Test func aBatchIsCappedAtMaxBatchSize() async throws {
        try await withDatabase(configuration: SQLiteDatabase.Configuration(maxBatchSize: 500)) { database, _ in
            let hold = await WriterHold(database)
            let commitsBefore = database.commitCount
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<2_000 {
                    group.addTask { try await database.store(makeEvent(id: "evt_\(index)")) }
                }
                try await waitUntil("all writes are queued") { database.queuedWriteCount == 2_000 }
                try await hold.release()
                try await group.waitForAll()
            }
            #expect(database.commitCount - commitsBefore == 1 + 4)
        }
    }

    @Test func aFailingJobIsRolledBackAloneAndTheOthersCommit() async throws {
        try await withDatabase { database, _ in
            try await database.write { connection in
                try connection.execute("CREATE TABLE t (id TEXT PRIMARY KEY, note TEXT)")
                try connection.run("INSERT INTO t VALUES ('existing', 'before')")
            }
            let hold = await WriterHold(database)
            let commitsBefore = database.commitCount

            // Unstructured tasks, not `async let`: the test awaits each result inside #expect, which cannot capture `async let`.
            let first = Task { try await database.write { try $0.run("INSERT INTO t VALUES ('first', 'ok')") } }
            let thrown = Task {
                try await database.write { connection in
                    try connection.run("INSERT INTO t VALUES ('thrown', 'rolled back')")
                    try connection.run("UPDATE t SET note = 'clobbered' WHERE id = 'existing'")
                    throw DeliberateFailure(tag: "thrown")
                }
            }
            let constraint = Task {
                try await database.write { connection in
                    try connection.run("UPDATE t SET note = 'clobbered too' WHERE id = 'existing'")
                    try connection.run("INSERT INTO t VALUES ('existing', 'duplicate key')")
                }
            }
            let badSQL = Task { try await database.write { _ = try $0.prepare("INSERT INTO nowhere VALUES (1)") } }
            let last = Task { try await database.write { try $0.run("INSERT INTO t VALUES ('last', 'ok')") } }

            try await waitUntil("the five jobs are queued") { database.queuedWriteCount == 5 }
            try await hold.release()

            #expect(try await first.value == 1)
            #expect(try await last.value == 1)
            await #expect(throws: DeliberateFailure(tag: "thrown")) { try await thrown.value }
            let constraintError = await #expect(throws: SQLiteError.self) { try await constraint.value }
            #expect(constraintError?.isConstraintViolation == true)
            let prepareError = await #expect(throws: SQLiteError.self) { try await badSQL.value }
            #expect(prepareError?.code == .prepareFailed)

            let rows = try await database.read { connection in
                try connection.query("SELECT id, note FROM t ORDER BY id") { "\($0.string(at: 0))=\($0.string(at: 1))" }
            }
            #expect(rows == ["existing=before", "first=ok", "last=ok"])
            #expect(database.commitCount - commitsBefore == 2)
        }
    }

    @Test func readsDoNotWaitForTheWriter() async throws {
        try await withDatabase { database, _ in
            try await database.store(makeEvent(id: "evt_1"))
            // The writer sits inside an open write transaction; readers still see the last commit.
            let hold = await WriterHold(database)
            #expect(try await database.event(id: "evt_1")?.status == .pending)
            #expect(try await database.counts()[.pending] == 1)
            try await hold.release()
        }
    }

    @Test func readsCannotWrite() async throws {
        try await withDatabase { database, _ in
            let error = await #expect(throws: SQLiteError.self) {
                try await database.read { try $0.run("INSERT INTO store_heartbeat (id, beats) VALUES (1, 1)") }
            }
            #expect(error?.primaryResultCode == 8)  // SQLITE_READONLY: query_only
        }
    }

    @Test func closeFinishesQueuedWritesThenRefusesNewOnes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger)
        let hold = await WriterHold(database)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask { try await database.store(makeEvent(id: "evt_\(index)")) }
            }
            try await waitUntil("the writes are queued") { database.queuedWriteCount == 100 }
            group.addTask { await database.close() }
            try await waitUntil("close() has begun") { database.isClosed }
            try await hold.release()
            // Every write queued before close() is committed, none fails.
            try await group.waitForAll()
        }
        let refused = await #expect(throws: SQLiteError.self) { try await database.store(makeEvent(id: "evt_late")) }
        #expect(refused?.code == .closed)
        await #expect(throws: SQLiteError.self) { try await database.counts() }

        let reopened = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger)
        #expect(try await reopened.counts()[.pending] == 100)
        await reopened.close()
    }
}
