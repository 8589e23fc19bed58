import BillingCore
import BillingStore
import Foundation
import MeterBridgeTesting
import Testing

/// The inbox on every store (`StoreKind.tested`); the tests of SQLite itself (index use, its files) on SQLite only.
@Suite("Inbox")
struct InboxTests {
    @Test(arguments: StoreKind.tested)
    func storesTheRawEventOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            var payload = Array(#"{"id":"evt_1","description":"1 × Basic"}"#.utf8)
            payload += [0x00, 0xFF, 0x0A]  // whatever the bytes, they come back unchanged
            let event = ReceivedEvent(
                id: "evt_1",
                type: "customer.subscription.updated",
                apiVersion: "2025-03-31.basil",
                created: 1_712_100_123,
                livemode: true,
                account: "acct_1",
                objectType: "subscription",
                objectID: "sub_1",
                subscriptionID: "sub_1",
                customerID: "cus_1",
                payload: payload,
                signature: "t=1712100123,v1=abc,v0=def",
                receivedAt: 1_712_100_124_500
            )
            #expect(try await database.store(event) == .inserted)
            #expect(try await database.store(event) == .duplicate(status: .pending))

            let stored = try #require(try await database.event(id: "evt_1"))
            #expect(stored.event == event)
            #expect(stored.status == .pending)
            #expect(stored.attempts == 0)
            #expect(stored.lastError == nil)
            #expect(stored.nextAttemptAt == UnixTime(milliseconds: event.receivedAt))
            #expect(stored.processedAt == nil)
            #expect(try await database.event(id: "evt_missing") == nil)

            let minimal = ReceivedEvent(id: "evt_2", type: "v1.billing.meter.error_report_triggered", created: 1, livemode: false,
                                        payload: [], signature: "", receivedAt: 2)
            #expect(try await database.store(minimal) == .inserted)
            #expect(try await database.event(id: "evt_2")?.event == minimal)
            #expect(try await database.counts()[.pending] == 2)
        }
    }

    @Test(arguments: StoreKind.tested)
    func aDuplicateOfAProcessedOrIgnoredEventIsLeftAlone(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.store(makeEvent(id: "evt_p"))
            try await database.store(makeEvent(id: "evt_i"))
            try await database.markProcessed(id: "evt_p", status: .processed, at: UnixTime(milliseconds: 10))
            try await database.markProcessed(id: "evt_i", status: .ignored, at: UnixTime(milliseconds: 11))

            #expect(try await database.store(makeEvent(id: "evt_p", receivedAt: 99)) == .duplicate(status: .processed))
            #expect(try await database.store(makeEvent(id: "evt_i", receivedAt: 99)) == .duplicate(status: .ignored))
            let processed = try #require(try await database.event(id: "evt_p"))
            #expect(processed.status == .processed && processed.processedAt == UnixTime(milliseconds: 10) && processed.nextAttemptAt == nil)
            #expect(try await database.event(id: "evt_i")?.status == .ignored)
        }
    }

    @Test(arguments: StoreKind.tested)
    func aDuplicateOfAFailedEventRedrivesIt(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.store(makeEvent(id: "evt_1", receivedAt: 1_000))
            let status = try await database.markFailed(id: "evt_1", error: "boom", nextAttemptAt: UnixTime(milliseconds: 60_000), maxAttempts: 5)
            #expect(status == .failed)
            #expect(try await database.pendingEvents(dueAt: UnixTime(milliseconds: 5_000), limit: 10).isEmpty)

            #expect(try await database.store(makeEvent(id: "evt_1", receivedAt: 5_000)) == .redriven)
            let redriven = try #require(try await database.event(id: "evt_1"))
            #expect(redriven.status == .pending)
            #expect(redriven.attempts == 1)  // attempts stay
            #expect(redriven.nextAttemptAt == UnixTime(milliseconds: 5_000))  // due at the redelivery
            #expect(redriven.event.receivedAt == 1_000)  // the original delivery is what is kept
            #expect(try await database.pendingEvents(dueAt: UnixTime(milliseconds: 5_000), limit: 10).map(\.id) == ["evt_1"])
            // A second redelivery while it is pending again is a plain duplicate.
            #expect(try await database.store(makeEvent(id: "evt_1", receivedAt: 6_000)) == .duplicate(status: .pending))
        }
    }

    @Test(arguments: StoreKind.tested)
    func failingUpToMaxAttemptsMakesAnEventDeadAndARedeliveryRedrivesIt(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.store(makeEvent(id: "evt_1"))
            #expect(try await database.markFailed(id: "evt_1", error: "first", nextAttemptAt: UnixTime(milliseconds: 100), maxAttempts: 3) == .failed)
            #expect(try await database.markFailed(id: "evt_1", error: "second", nextAttemptAt: UnixTime(milliseconds: 200), maxAttempts: 3) == .failed)
            let failed = try #require(try await database.event(id: "evt_1"))
            #expect(failed.status == .failed && failed.attempts == 2 && failed.lastError == "second" && failed.nextAttemptAt == UnixTime(milliseconds: 200))

            #expect(try await database.markFailed(id: "evt_1", error: "third", nextAttemptAt: UnixTime(milliseconds: 300), maxAttempts: 3) == .dead)
            let dead = try #require(try await database.event(id: "evt_1"))
            #expect(dead.status == .dead && dead.attempts == 3 && dead.lastError == "third" && dead.nextAttemptAt == nil)
            #expect(try await database.pendingEvents(dueAt: .distantFuture, limit: 10).isEmpty)
            #expect(try await database.counts()[.dead] == 1)

            #expect(try await database.store(makeEvent(id: "evt_1", receivedAt: 400)) == .redriven)
            #expect(try await database.event(id: "evt_1")?.status == .pending)
            // Its attempts were kept, so one more failure sends it straight back to dead.
            #expect(try await database.markFailed(id: "evt_1", error: "fourth", nextAttemptAt: UnixTime(milliseconds: 500), maxAttempts: 3) == .dead)

            // Success after failures clears the error but keeps the count of failed attempts.
            try await database.store(makeEvent(id: "evt_1", receivedAt: 600))
            try await database.markProcessed(id: "evt_1", status: .processed, at: UnixTime(milliseconds: 700))
            let processed = try #require(try await database.event(id: "evt_1"))
            #expect(processed.status == .processed && processed.attempts == 4 && processed.lastError == nil && processed.processedAt == UnixTime(milliseconds: 700))
        }
    }

    @Test(arguments: StoreKind.tested)
    func markingAnUnknownEventOrAWrongStatusThrows(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let unknown = await #expect(throws: InboxError.self) {
                try await database.markProcessed(id: "evt_nope", status: .processed, at: UnixTime(milliseconds: 1))
            }
            #expect(unknown?.code == .unknownEvent)
            let unknownFailure = await #expect(throws: InboxError.self) {
                try await database.markFailed(id: "evt_nope", error: "x", nextAttemptAt: UnixTime(milliseconds: 1), maxAttempts: 3)
            }
            #expect(unknownFailure?.code == .unknownEvent)

            try await database.store(makeEvent(id: "evt_1"))
            let wrong = await #expect(throws: InboxError.self) {
                try await database.markProcessed(id: "evt_1", status: .failed, at: UnixTime(milliseconds: 1))
            }
            #expect(wrong?.code == .invalidStatus)
        }
    }

    @Test(arguments: StoreKind.tested)
    func pendingEventsComeInCreatedOrderAndOnlyWhenDue(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            // Stored out of order, as Stripe delivers them.
            try await database.store(makeEvent(id: "evt_c", created: 30, receivedAt: 1))
            try await database.store(makeEvent(id: "evt_a", created: 10, receivedAt: 2))
            try await database.store(makeEvent(id: "evt_b2", created: 20, receivedAt: 3))
            try await database.store(makeEvent(id: "evt_b1", created: 20, receivedAt: 4))
            try await database.store(makeEvent(id: "evt_d", created: 40, receivedAt: 5))
            try await database.store(makeEvent(id: "evt_e", created: 5, receivedAt: 6))

            try await database.markProcessed(id: "evt_e", status: .processed, at: UnixTime(milliseconds: 7))
            try await database.markFailed(id: "evt_d", error: "later", nextAttemptAt: UnixTime(milliseconds: 1_000), maxAttempts: 5)
            try await database.markFailed(id: "evt_c", error: "soon", nextAttemptAt: UnixTime(milliseconds: 50), maxAttempts: 5)

            #expect(try await database.pendingEvents(dueAt: UnixTime(milliseconds: 100), limit: 10).map(\.id) == ["evt_a", "evt_b1", "evt_b2", "evt_c"])
            // With more due than the limit, those due first are taken (evt_b2 was received before evt_b1), then ordered.
            #expect(try await database.pendingEvents(dueAt: UnixTime(milliseconds: 100), limit: 2).map(\.id) == ["evt_a", "evt_b2"])
            #expect(try await database.pendingEvents(dueAt: UnixTime(milliseconds: 100), limit: 3).map(\.id) == ["evt_a", "evt_b1", "evt_b2"])
            #expect(try await database.pendingEvents(dueAt: UnixTime(milliseconds: 4), limit: 10).map(\.id) == ["evt_a", "evt_b1", "evt_b2"])
            #expect(try await database.pendingEvents(dueAt: UnixTime(milliseconds: 1_000), limit: 10).map(\.id) == ["evt_a", "evt_b1", "evt_b2", "evt_c", "evt_d"])
            #expect(try await database.oldestUnprocessedReceivedAt() == UnixTime(milliseconds: 1))

            let counts = try await database.counts()
            #expect(counts == [.pending: 3, .processed: 1, .ignored: 0, .failed: 2, .dead: 0])
        }
    }

    @Test func pendingEventsReadTheDueIndexWithoutSorting() async throws {
        try await withDatabase { database, _ in
            let plan = try await database.read { connection in
                try connection.query(
                    """
                    EXPLAIN QUERY PLAN SELECT id FROM events INDEXED BY events_due
                    WHERE status IN ('pending', 'failed') AND next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?2
                    """
                ) { $0.string(at: 3) }
            }
            #expect(plan.contains { $0.contains("events_due") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    @Test func listingPagesSortKeysNotPayloads() async throws {
        try await withDatabase { database, _ in
            let listingPage = SQLiteDatabase.keysInStripeOrder(where: "(created, id) > (?1, ?2)", limit: "?3")
            let plan = try await database.read { connection in
                try connection.query(
                    "EXPLAIN QUERY PLAN SELECT payload FROM events WHERE rowid IN (\(listingPage)) ORDER BY created, id",
                    [.integer(0), .text(""), .integer(100)]
                ) { $0.string(at: 3) }
            }
            // The page's keys come from `events_created` (ties of a second sorted there), its rows by rowid.
            #expect(plan.contains { $0.contains("USING INDEX events_created") }, "\(plan)")
            #expect(plan.contains { $0.contains("USING INTEGER PRIMARY KEY (rowid=?)") }, "\(plan)")
            #expect(!plan.contains { $0.contains("SCAN events") }, "\(plan)")
        }
    }

    @Test(arguments: StoreKind.tested)
    func oldestUnprocessedIsNilWhenEverythingIsDone(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            #expect(try await database.oldestUnprocessedReceivedAt() == nil)
            try await database.store(makeEvent(id: "evt_1", receivedAt: 42))
            #expect(try await database.oldestUnprocessedReceivedAt() == UnixTime(milliseconds: 42))
            try await database.markProcessed(id: "evt_1", status: .ignored, at: UnixTime(milliseconds: 43))
            #expect(try await database.oldestUnprocessedReceivedAt() == nil)
        }
    }

    @Test(arguments: StoreKind.tested)
    func queriesFilterAndPage(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let events = [
                makeEvent(id: "evt_1", type: "invoice.created", created: 100, subscriptionID: "sub_a"),
                makeEvent(id: "evt_2", type: "invoice.finalized", created: 200, subscriptionID: "sub_a"),
                makeEvent(id: "evt_3", type: "customer.subscription.updated", created: 300, subscriptionID: "sub_b"),
                makeEvent(id: "evt_4", type: "invoice.created", created: 300, subscriptionID: "sub_b"),
                makeEvent(id: "evt_5", type: "invoice.paid", created: 400, subscriptionID: nil),
            ]
            for event in events.reversed() {
                try await database.store(event)
            }
            try await database.markProcessed(id: "evt_2", status: .processed, at: UnixTime(milliseconds: 1))
            try await database.markFailed(id: "evt_4", error: "x", nextAttemptAt: UnixTime(milliseconds: 1), maxAttempts: 1)

            func ids(_ query: EventQuery) async throws -> [String] {
                try await database.events(query).map(\.id)
            }
            #expect(try await ids(EventQuery()) == ["evt_1", "evt_2", "evt_3", "evt_4", "evt_5"])
            #expect(try await ids(EventQuery(types: ["invoice.created"])) == ["evt_1", "evt_4"])
            #expect(try await ids(EventQuery(types: ["invoice.created", "invoice.paid"])) == ["evt_1", "evt_4", "evt_5"])
            #expect(try await ids(EventQuery(statuses: [.processed, .dead])) == ["evt_2", "evt_4"])
            #expect(try await ids(EventQuery(statuses: [.pending])) == ["evt_1", "evt_3", "evt_5"])
            #expect(try await ids(EventQuery(since: 200, until: 400)) == ["evt_2", "evt_3", "evt_4"])
            #expect(try await ids(EventQuery(since: 300)) == ["evt_3", "evt_4", "evt_5"])
            #expect(try await ids(EventQuery(until: 200)) == ["evt_1"])
            #expect(try await ids(EventQuery(ids: ["evt_5", "evt_1", "evt_nope"])) == ["evt_1", "evt_5"])
            #expect(try await ids(EventQuery(subscriptionID: "sub_b")) == ["evt_3", "evt_4"])
            #expect(try await ids(EventQuery(types: ["invoice.created"], statuses: [.pending], since: 100)) == ["evt_1"])
            #expect(try await ids(EventQuery(limit: 2)) == ["evt_1", "evt_2"])

            // Paging by cursor walks every event once, also across equal `created` values.
            var paged: [String] = []
            var cursor: EventCursor?
            while true {
                let page = try await database.events(EventQuery(after: cursor, limit: 2))
                guard let last = page.last else { break }
                paged += page.map(\.id)
                cursor = EventCursor(created: last.created, id: last.id)
            }
            #expect(paged == ["evt_1", "evt_2", "evt_3", "evt_4", "evt_5"])

            let dead = try #require(try await database.events(EventQuery(ids: ["evt_4"])).first)
            #expect(dead.status == .dead && dead.lastError == "x")
        }
    }

    @Test(arguments: StoreKind.tested)
    func pagesSplittingASecondFollowIdsNotArrival(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            // Stored in an order that differs from id order within each second, as concurrent deliveries arrive.
            let arrivals: [(id: String, created: Int64)] = [
                ("evt_c", 10), ("evt_e", 20), ("evt_a", 10), ("evt_z", 5), ("evt_d", 20), ("evt_b", 10), ("evt_y", 5),
            ]
            for (id, created) in arrivals {
                try await database.store(makeEvent(id: id, created: created))
            }
            let stripeOrder = ["evt_y", "evt_z", "evt_a", "evt_b", "evt_c", "evt_d", "evt_e"]
            #expect(try await database.events(EventQuery()).map(\.id) == stripeOrder)
            let reader = try #require(database as? any StoredEventReader)
            for limit in 1...4 {
                var listed: [String] = []
                var cursor: EventCursor?
                while true {
                    let page = try await database.events(EventQuery(after: cursor, limit: limit))
                    guard let last = page.last else { break }
                    listed += page.map(\.id)
                    cursor = EventCursor(created: last.created, id: last.id)
                }
                var replayed: [String] = []
                cursor = nil
                while true {
                    let page = try await reader.replayRows(after: cursor, limit: limit)
                    guard let last = page.last else { break }
                    #expect(page.count <= limit)
                    replayed += page.map(\.id)
                    cursor = last.cursor
                }
                #expect(listed == stripeOrder, "listing in pages of \(limit)")
                #expect(replayed == stripeOrder, "replaying in pages of \(limit)")
            }
        }
    }

    @Test func checkWritableCommits() async throws {
        try await withDatabase { database, _ in
            let before = database.commitCount
            try await database.checkWritable()
            try await database.checkWritable()
            #expect(database.commitCount == before + 2)
            let beats = try await database.read { connection in
                try connection.query("SELECT beats FROM store_heartbeat") { $0.int(at: 0) }
            }
            #expect(beats == [2])
        }
    }

    @Test func eventsSurviveClosingAndReopening() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let payload = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger)
        for index in 0..<50 {
            try await database.store(makeEvent(id: "evt_\(index)", created: Int64(index), payload: payload))
        }
        try await database.markFailed(id: "evt_7", error: "kept", nextAttemptAt: UnixTime(milliseconds: 9), maxAttempts: 5)
        await database.close()

        let reopened = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger)
        let events = try await reopened.events(EventQuery())
        #expect(events.count == 50)
        #expect(events.allSatisfy { $0.event.payload == payload })
        #expect(try await reopened.event(id: "evt_7")?.lastError == "kept")
        #expect(try await reopened.store(makeEvent(id: "evt_3")) == .duplicate(status: .pending))
        await reopened.close()
    }

    @Test func anAcknowledgedEventIsAlreadyInTheFiles() async throws {
        // What a SIGKILL right after the 200 leaves behind: the files as they are at that moment, never closed.
        try await withDatabase { database, directory in
            for index in 0..<20 {
                try await database.store(makeEvent(id: "evt_\(index)"))
            }
            try await database.markFailed(id: "evt_3", error: "x", nextAttemptAt: UnixTime(milliseconds: 1), maxAttempts: 9)

            let crashed = try TemporaryDirectory()
            defer { crashed.remove() }
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: directory.databasePath + suffix) {
                try FileManager.default.copyItem(atPath: directory.databasePath + suffix, toPath: crashed.databasePath + suffix)
            }
            let recovered = try await SQLiteDatabase.open(path: crashed.databasePath, logger: testLogger)
            #expect(try await recovered.counts() == [.pending: 19, .failed: 1, .processed: 0, .ignored: 0, .dead: 0])
            await recovered.close()
        }
    }
}
