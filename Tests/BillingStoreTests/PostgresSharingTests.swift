import BillingCore
import BillingStore
import MeterBridgeTesting
import PostgresNIO
@testable import PostgresStore
import Testing

/// Several instances on one PostgreSQL database: two `PostgreSQLDatabase`s opened on it are two meterbridge instances.
@Suite("PostgreSQL sharing", .enabled(if: TestPostgres.isTested, "\(TestPostgres.urlVariable) is not set (make test sets it)"))
struct PostgresSharingTests {
    @Test func aLeaseIsHeldByOneInstanceUntilItIsReleased() async throws {
        try await withTwoPostgresInstances { a, b in
            #expect(a.leaseOwner != b.leaseOwner)
            #expect(try await a.acquireLeases(["sub:1", "sub:2"], now: UnixTime(milliseconds: 1_000), duration: .milliseconds(10_000)) == ["sub:1", "sub:2"])
            // B gets only what A does not hold.
            #expect(try await b.acquireLeases(["sub:1", "sub:3"], now: UnixTime(milliseconds: 2_000), duration: .milliseconds(10_000)) == ["sub:3"])
            #expect(try await a.acquireLeases(["sub:3"], now: UnixTime(milliseconds: 2_000), duration: .milliseconds(10_000)).isEmpty)

            // A renews its own: still held by A after the first expiry (11 000).
            #expect(try await a.acquireLeases(["sub:1"], now: UnixTime(milliseconds: 5_000), duration: .milliseconds(10_000)) == ["sub:1"])
            #expect(try await b.acquireLeases(["sub:1"], now: UnixTime(milliseconds: 12_000), duration: .milliseconds(10_000)).isEmpty)

            // B releasing A's lease does nothing; A releasing it hands it over at once.
            try await b.releaseLeases(["sub:1", "sub:2"])
            #expect(try await b.acquireLeases(["sub:1", "sub:2"], now: UnixTime(milliseconds: 6_000), duration: .milliseconds(10_000)).isEmpty)
            try await a.releaseLeases(["sub:1"])
            #expect(try await b.acquireLeases(["sub:1", "sub:2"], now: UnixTime(milliseconds: 6_000), duration: .milliseconds(10_000)) == ["sub:1"])
            #expect(try await a.acquireLeases(["sub:1"], now: UnixTime(milliseconds: 6_000), duration: .milliseconds(10_000)).isEmpty)
            #expect(try await a.acquireLeases([], now: UnixTime(milliseconds: 6_000), duration: .milliseconds(10_000)).isEmpty)
        }
    }

    @Test func anExpiredLeaseIsTakenOver() async throws {
        try await withTwoPostgresInstances { a, b in
            #expect(try await a.acquireLeases([WorkLease.reporter], now: UnixTime(milliseconds: 0), duration: .milliseconds(1_000)) == [WorkLease.reporter])
            #expect(try await b.acquireLeases([WorkLease.reporter], now: UnixTime(milliseconds: 999), duration: .milliseconds(1_000)).isEmpty)
            // A stopped renewing (crashed): at its expiry B takes it, and then A cannot.
            #expect(try await b.acquireLeases([WorkLease.reporter], now: UnixTime(milliseconds: 1_000), duration: .milliseconds(1_000)) == [WorkLease.reporter])
            #expect(try await a.acquireLeases([WorkLease.reporter], now: UnixTime(milliseconds: 1_500), duration: .milliseconds(1_000)).isEmpty)
            // Releasing after losing it leaves the new owner's lease alone.
            try await a.releaseLeases([WorkLease.reporter])
            #expect(try await a.acquireLeases([WorkLease.reporter], now: UnixTime(milliseconds: 1_500), duration: .milliseconds(1_000)).isEmpty)
        }
    }

    /// Reproducer: one statement inserting and renewing leases deadlocked (40P01) when two instances asked for the same
    /// names in different orders (the scheduler passes a dictionary's keys, whose order differs between processes).
    @Test func acquiringTheSameLeasesInOppositeOrdersAtOnceNeitherDeadlocksNorSharesOne() async throws {
        try await withTwoPostgresInstances { a, b in
            for round in 0..<10 {
                // Expired leases of the earlier rounds to take over, and new names to insert.
                let names = (0..<(100 + 20 * round)).map { WorkLease.subscription("sub_\($0)") }
                let now = UnixTime(milliseconds: Int64(round) * 100_000)
                async let forA = a.acquireLeases(names, now: now, duration: .milliseconds(10_000))
                async let forB = b.acquireLeases(names.reversed(), now: now, duration: .milliseconds(10_000))
                let (heldByA, heldByB) = try await (forA, forB)
                #expect(heldByA.isDisjoint(with: heldByB), "round \(round)")
                // Skipped rows another instance was taking are not retried: together they hold at most all of them.
                #expect(heldByA.union(heldByB).isSubset(of: Set(names)))
                // What B took is B's: A, asking again, gets everything else.
                #expect(try await a.acquireLeases(names, now: now + .milliseconds(1), duration: .milliseconds(10_000)) == Set(names).subtracting(heldByB))
            }
        }
    }

    @Test func pendingEventsAndDueTimersSkipWhatTheOtherInstanceHolds() async throws {
        try await withTwoPostgresInstances { a, b in
            try await a.store(makeEvent(id: "evt_a", created: 1, subscriptionID: "sub_a", receivedAt: 100))
            try await a.store(makeEvent(id: "evt_b", created: 2, subscriptionID: "sub_b", receivedAt: 100))
            try await a.store(makeEvent(id: "evt_none", created: 3, subscriptionID: nil, receivedAt: 100))
            for subscription in ["sub_a", "sub_b"] {
                try await a.commit(
                    BillingCommit(
                        subscription: SubscriptionRecord(id: subscription, customerID: "cus_1", updatedAt: UnixTime(milliseconds: 1), state: [1]),
                        timers: [TimerRecord(id: "\(subscription)/preBoundary", subscriptionID: subscription, kind: "preBoundary", fireAt: 10)], at: UnixTime(milliseconds: 1)
                    )
                )
            }
            // A holds sub_a until 20 000 ms (20 s).
            let lease = WorkLease.subscription("sub_a")
            #expect(try await a.acquireLeases([lease], now: UnixTime(milliseconds: 1_000), duration: .milliseconds(19_000)) == [lease])

            #expect(try await a.pendingEvents(dueAt: UnixTime(milliseconds: 10_000), limit: 10).map(\.id) == ["evt_a", "evt_b", "evt_none"])
            #expect(try await b.pendingEvents(dueAt: UnixTime(milliseconds: 10_000), limit: 10).map(\.id) == ["evt_b", "evt_none"])
            #expect(try await a.dueTimers(at: UnixTime(seconds: 10), limit: 10).map(\.id) == ["sub_a/preBoundary", "sub_b/preBoundary"])
            #expect(try await b.dueTimers(at: UnixTime(seconds: 10), limit: 10).map(\.id) == ["sub_b/preBoundary"])

            // Once A's lease expires, B sees everything.
            #expect(try await b.pendingEvents(dueAt: UnixTime(milliseconds: 20_000), limit: 10).map(\.id) == ["evt_a", "evt_b", "evt_none"])
            #expect(try await b.dueTimers(at: UnixTime(seconds: 20), limit: 10).map(\.id) == ["sub_a/preBoundary", "sub_b/preBoundary"])
            #expect(try await b.dueTimers(at: .distantFuture, limit: 10).count == 2)
            // And once A releases it, at once.
            try await a.releaseLeases([lease])
            #expect(try await b.pendingEvents(dueAt: UnixTime(milliseconds: 10_000), limit: 10).map(\.id) == ["evt_a", "evt_b", "evt_none"])
            #expect(try await b.dueTimers(at: UnixTime(seconds: 10), limit: 10).count == 2)
        }
    }

    @Test func twoInstancesTakingDueReportsNeverTakeTheSameOne() async throws {
        try await withTwoPostgresInstances { a, b in
            let planned = (0..<200).map { index in
                PlannedReport(
                    channel: .meterEvent(eventName: "api_requests"), purpose: .usage, customerID: "cus_\(index % 7)", metric: "api_requests",
                    period: nil, quantity: Int64(index), timestamp: 1_700_000_000, carried: false, recordIDs: []
                )
            }
            let created = try await a.createReports(planned, at: UnixTime(milliseconds: 1_000))
            #expect(created.count == 200)

            @Sendable func drain(_ instance: PostgreSQLDatabase) async throws -> [[Int64]] {
                var pages: [[Int64]] = []
                // Bounded: reports that were not claimed would come back forever.
                for _ in 0..<10 {
                    let page = try await instance.dueReports(at: UnixTime(milliseconds: 2_000), limit: 50)
                    if page.isEmpty { return pages }
                    pages.append(page.map(\.id))
                }
                Issue.record("dueReports still returns reports after 10 pages of 50: are they claimed?")
                return pages
            }
            async let fromA = drain(a)
            async let fromB = drain(b)
            let (pagesA, pagesB) = try await (fromA, fromB)
            let taken = (pagesA + pagesB).flatMap { $0 }
            #expect((pagesA + pagesB).allSatisfy { $0.count <= 50 && $0 == $0.sorted() })
            #expect(taken.count == 200, "A took \(pagesA.joined().count), B took \(pagesB.joined().count)")
            #expect(Set(taken) == Set(created.map(\.id)))

            // Claimed: no one gets them again while the claim lasts, …
            #expect(try await a.dueReports(at: UnixTime(milliseconds: 2_000) + PostgreSQLDatabase.reportClaim - .milliseconds(1), limit: 500).isEmpty)
            #expect(try await b.dueReports(at: UnixTime(milliseconds: 2_000), limit: 500).isEmpty)
            // … unless the claim is given back: a failed send is due again at its retry time, for either instance.
            try await a.markReportFailed(id: created[0].id, error: "timeout", retryAt: UnixTime(milliseconds: 3_000))
            #expect(try await b.dueReports(at: UnixTime(milliseconds: 3_000), limit: 500).map(\.id) == [created[0].id])
            try await b.markReportSent(id: created[0].id, at: UnixTime(milliseconds: 3_100))
            // After the claim lapses (the instance died mid-send), they come back, once.
            let lapsed = UnixTime(milliseconds: 2_000) + PostgreSQLDatabase.reportClaim + .milliseconds(1)
            async let againA = a.dueReports(at: lapsed, limit: 500)
            async let againB = b.dueReports(at: lapsed, limit: 500)
            let (backA, backB) = try await (againA, againB)
            #expect(Set(backA.map(\.id)).isDisjoint(with: backB.map(\.id)))
            #expect(Set((backA + backB).map(\.id)) == Set(created.dropFirst().map(\.id)))
            #expect((backA + backB).count == 199)
        }
    }

    @Test func twoInstancesReportingTheSameRecordsAtOnceReportThemOnce() async throws {
        try await withTwoPostgresInstances { a, b in
            for round in 0..<8 {
                let ids = (0..<20).map { "r\(round)-\($0)" }
                let customer = "cus_\(round)"
                _ = try await a.recordUsage(
                    ids.map { UsageRecordInput(id: $0, customerID: customer, metric: "api_requests", quantity: 1, timestamp: 1, receivedAt: 1) }
                )
                func plan(_ recordIDs: [String], split: Int = 10) -> [PlannedReport] {
                    // Two reports per call: the first may succeed before the second fails; neither may stay.
                    [recordIDs.prefix(split), recordIDs.dropFirst(split)].map { part in
                        PlannedReport(
                            channel: .meterEvent(eventName: "api_requests"), purpose: .usage, customerID: customer, metric: "api_requests",
                            period: nil, quantity: Int64(part.count), timestamp: 1_700_000_000, carried: false, recordIDs: Array(part)
                        )
                    }
                }
                // In even rounds the two plan the same reports: their keys are the same, so the second to commit finds
                // the first one's rows (one row per key) and moves no record. In odd rounds B plans other reports of the
                // same records, taken in the opposite order: they conflict on the records, and may deadlock, and
                // PostgreSQL then aborts one of them, which must leave nothing behind either.
                let (planA, planB) = (plan(ids), round.isMultiple(of: 2) ? plan(ids) : plan(ids.reversed(), split: 7))
                async let byA = outcome { try await a.createReports(planA, at: UnixTime(milliseconds: 1_000)) }
                async let byB = outcome { try await b.createReports(planB, at: UnixTime(milliseconds: 1_000)) }
                let outcomes = await [byA, byB]
                let succeeded = outcomes.compactMap { try? $0.get() }
                #expect(succeeded.count == (round.isMultiple(of: 2) ? 2 : 1), "round \(round): \(outcomes)")
                #expect(succeeded.allSatisfy { $0 == succeeded.first }, "round \(round)")
                let winner = try #require(succeeded.first)
                // Only the winner's two reports exist, and every record is in one of them.
                #expect(try await a.reports(customerID: customer) == winner)
                let records = try await b.usageRecords(customerID: customer)
                #expect(records.count == 20)
                #expect(Set(records.compactMap(\.reportID)) == Set(winner.map(\.id)))
                #expect(records.allSatisfy { $0.reportID != nil })
                #expect(try await a.unreportedUsage(after: nil, limit: 100).isEmpty)
            }
            #expect(try await a.reportCounts() == [.pending: 16, .sent: 0, .dead: 0, .replanned: 0])
        }
    }

    @Test func instancesStartingTogetherMigrateOnce() async throws {
        try await withFreshPostgresDatabase { url in
            async let first = TestPostgres.open(url)
            async let second = TestPostgres.open(url)
            async let third = TestPostgres.open(url)
            let instances = try await [first, second, third]
            for instance in instances { await instance.close() }
            // One of them applied every migration, under the advisory lock; the others found them applied.
            let applied = instances.map(\.appliedMigrations).sorted { $0.count > $1.count }
            #expect(applied[0].count == PostgresSchema.all.count && applied[1].isEmpty && applied[2].isEmpty, "\(applied)")
            #expect(instances.allSatisfy { $0.schemaVersion == PostgresSchema.all.map(\.version).max() })

            let versions = try await TestPostgres.withConnection(to: url) { connection in
                let rows = try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: testLogger).collect()
                return try rows.map { try $0.decode(Int.self) }
            }
            #expect(versions == PostgresSchema.all.map(\.version))
            // A later start finds nothing to do.
            try await withPostgresStore(at: url) { again in
                #expect(again.appliedMigrations.isEmpty)
                let counts = try await again.counts()
                #expect(counts[.pending] == 0)
            }
        }
    }

    @Test func openingWithoutMigratingAnEmptyDatabaseSaysToMigrate() async throws {
        try await withFreshPostgresDatabase { url in
            let error = await #expect(throws: PostgresStoreError.self) { try await TestPostgres.open(url, migrate: false) }
            #expect(error?.message.contains("meterbridge migrate") == true, "\(String(describing: error))")
        }
    }

    @Test func checkWritableWritesARow() async throws {
        try await withFreshPostgresDatabase { url in
            try await withPostgresStore(at: url) { database in
                try await database.checkWritable()
                try await database.checkWritable()
            }
            let beats = try await TestPostgres.withConnection(to: url) { connection in
                try await connection.query("SELECT beats FROM store_heartbeat", logger: testLogger).collect().map { try $0.decode(Int.self) }
            }
            #expect(beats == [2])
        }
    }

    @Test func eventsSurviveClosingAndReopening() async throws {
        try await withFreshPostgresDatabase { url in
            let payload = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await withPostgresStore(at: url) { database in
                for index in 0..<50 {
                    try await database.store(makeEvent(id: "evt_\(index)", created: Int64(index), payload: payload))
                }
                try await database.markFailed(id: "evt_7", error: "kept", nextAttemptAt: UnixTime(milliseconds: 9), maxAttempts: 5)
            }
            try await withPostgresStore(at: url) { reopened in
                #expect(reopened.appliedMigrations.isEmpty)
                let events = try await reopened.events(EventQuery())
                #expect(events.count == 50)
                #expect(events.allSatisfy { $0.event.payload == payload })
                #expect(try await reopened.event(id: "evt_7")?.lastError == "kept")
                #expect(try await reopened.store(makeEvent(id: "evt_3")) == .duplicate(status: .pending))
            }
        }
    }
}

/// What `body` returned or threw, to compare concurrent calls that may fail.
private func outcome<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
