import BillingCore
import BillingStore
import MeterBridgeTesting
import Testing

/// The ledger on every store (`StoreKind.tested`); the tests of SQLite's writer (group commit, write jobs) on SQLite only.
@Suite("Usage ledger")
struct UsageLedgerTests {
    static let receivedAt: Int64 = 1_712_100_000_000

    static func usage(
        _ id: String, customer: String = "cus_1", metric: String = "api_requests", quantity: Int64 = 1, timestamp: Int64 = 1_712_100_000,
        defaulted: Bool = false, receivedAt: Int64 = receivedAt
    ) -> UsageRecordInput {
        UsageRecordInput(id: id, customerID: customer, metric: metric, quantity: quantity, timestamp: timestamp, timestampDefaulted: defaulted, receivedAt: receivedAt)
    }

    @Test(arguments: StoreKind.tested)
    func aBatchIsStoredOnceAndItsRetryCountsAsDuplicates(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let batch = [Self.usage("u1", quantity: 3), Self.usage("u2", quantity: 4, timestamp: 1_712_100_060), Self.usage("u3", metric: "seats", quantity: 7)]
            let first = try await database.recordUsage(batch)
            #expect(first == UsageIngestResult(accepted: 3, duplicateIndices: []))
            let retry = try await database.recordUsage(batch)
            #expect(retry == UsageIngestResult(accepted: 0, duplicateIndices: [0, 1, 2]))

            let records = try await database.usageRecords(customerID: "cus_1")
            #expect(records.map(\.id) == ["u1", "u2", "u3"])
            #expect(records[1] == UsageRecord(id: "u2", customerID: "cus_1", metric: "api_requests", quantity: 4, timestamp: 1_712_100_060, receivedAt: Self.receivedAt))
            let totals = try await database.usage(customerID: "cus_1")
            #expect(totals.map(\.metric) == ["api_requests", "seats"])
            #expect(totals[0] == UsageMetricTotals(
                metric: "api_requests", records: 2, recorded: 7, pendingRecords: 2, pending: 7, carriedRecords: 0, carried: 0,
                firstTimestamp: 1_712_100_000, lastTimestamp: 1_712_100_060, latestQuantity: 4
            ))
            #expect(try await database.usage(customerID: "cus_unknown").isEmpty)
        }
    }

    @Test(arguments: StoreKind.tested)
    func anIdStoredWithOtherContentRejectsTheWholeBatch(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([Self.usage("taken", quantity: 5)])
            let batch = [Self.usage("new-1"), Self.usage("new-2"), Self.usage("taken", quantity: 6), Self.usage("new-3")]
            let error = await #expect(throws: UsageLedgerError.self) { try await database.recordUsage(batch) }
            #expect(error?.code == .idConflict)
            #expect(error?.recordIndex == 2)
            #expect(error?.recordID == "taken")
            #expect(error?.stored?.quantity == 5)
            #expect(error?.message.contains("quantity 5 ≠ 6") == true)
            // Nothing of the batch: not the records before the conflict, not those after it.
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.id) == ["taken"])
        }
    }

    @Test(arguments: StoreKind.tested)
    func anIdRepeatedWithinABatchIsADuplicateOrAConflict(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let same = try await database.recordUsage([Self.usage("a", quantity: 2), Self.usage("b"), Self.usage("a", quantity: 2)])
            #expect(same == UsageIngestResult(accepted: 2, duplicateIndices: [2]))

            let error = await #expect(throws: UsageLedgerError.self) {
                try await database.recordUsage([Self.usage("c"), Self.usage("c", customer: "cus_2")])
            }
            #expect(error?.recordIndex == 1)
            #expect(error?.message == #""c" is also the id of records[0] in this batch, with different content (records[0] ≠ this: customer cus_1 ≠ cus_2)"#)
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.id) == ["a", "b"])
            #expect(try await database.usageRecords(customerID: "cus_2").isEmpty)
        }
    }

    @Test(arguments: StoreKind.tested)
    func ofSeveralConflictsTheFirstByPositionIsNamed(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([Self.usage("x1", customer: "cus_b"), Self.usage("x3", customer: "cus_a")])
            // Inserted in (customer, …) order, so records[3] (cus_a) meets its conflict before records[1] (cus_z) does.
            let batch = [Self.usage("ok-0", customer: "cus_m"), Self.usage("x1", customer: "cus_z"), Self.usage("ok-2"), Self.usage("x3", customer: "cus_a", quantity: 2)]
            let error = await #expect(throws: UsageLedgerError.self) { try await database.recordUsage(batch) }
            #expect(error?.recordIndex == 1)
            #expect(error?.recordID == "x1")
            #expect(try await database.usageRecords(customerID: "cus_m").isEmpty)
        }
    }

    @Test(arguments: StoreKind.tested)
    func aRetryOfARecordWithoutTimestampMatchesWhateverTimeItWasStoredWith(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([Self.usage("x", timestamp: 1_712_100_000, defaulted: true)])
            // The retry comes a minute later: its defaulted timestamp differs, it is still the same usage.
            let retry = try await database.recordUsage([Self.usage("x", timestamp: 1_712_100_060, defaulted: true, receivedAt: Self.receivedAt + 60_000)])
            #expect(retry.duplicates == 1)
            // An explicit, different timestamp is different usage.
            await #expect(throws: UsageLedgerError.self) { try await database.recordUsage([Self.usage("x", timestamp: 1_712_100_060)]) }
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.timestamp) == [1_712_100_000])
        }
    }

    @Test func aRejectedBatchDoesNotTakeDownTheWritesCommittedWithIt() async throws {
        try await withDatabase { database, _ in
            _ = try await database.recordUsage([Self.usage("taken")])
            let hold = await WriterHold(database)
            let commitsBefore = database.commitCount
            // Queued behind the hold, so all three run in the same group commit.
            let good = Task { try await database.recordUsage([Self.usage("good-1"), Self.usage("good-2")]) }
            let bad = Task { try await database.recordUsage([Self.usage("bad-1"), Self.usage("taken", quantity: 9)]) }
            let event = Task { try await database.store(makeEvent(id: "evt_1")) }
            try await waitUntil("the three writes are queued") { database.queuedWriteCount == 3 }
            try await hold.release()
            #expect(try await good.value.accepted == 2)
            await #expect(throws: UsageLedgerError.self) { try await bad.value }
            #expect(try await event.value == .inserted)
            #expect(database.commitCount - commitsBefore == 2)
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.id) == ["taken", "good-1", "good-2"])
        }
    }

    @Test func tenThousandRecordsAreOneWriteJob() async throws {
        try await withDatabase { database, _ in
            let batch = (0..<10_000).map { Self.usage("r\($0)", customer: "cus_\($0 % 100)", quantity: Int64($0 % 7)) }
            let writesBefore = database.committedWriteCount
            #expect(try await database.recordUsage(batch).accepted == 10_000)
            #expect(database.committedWriteCount - writesBefore == 1)
            let groups = try await database.pendingUsageGroups(after: nil, limit: 1_000)
            #expect(groups.count == 100)
            #expect(groups.reduce(0) { $0 + $1.records } == 10_000)
            #expect(groups.reduce(0) { $0 + $1.quantity } == batch.reduce(0) { $0 + $1.quantity })
        }
    }

    @Test(arguments: StoreKind.tested)
    func tenThousandRecordsInOneBatchAreStoredWhole(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let batch = (0..<10_000).map { Self.usage("r\($0)", customer: "cus_\($0 % 100)", quantity: Int64($0 % 7)) }
            #expect(try await database.recordUsage(batch).accepted == 10_000)
            #expect(try await database.recordUsage(batch).duplicates == 10_000)
            // Two pages of pending groups, the second after the first's last (customer, metric).
            let first = try await database.pendingUsageGroups(after: nil, limit: 60)
            let last = try #require(first.last)
            let second = try await database.pendingUsageGroups(after: (last.customerID, last.metric), limit: 60)
            let groups = first + second
            #expect(first.count == 60 && second.count == 40)
            #expect(groups.map(\.customerID) == (0..<100).map { "cus_\($0)" }.sorted())
            #expect(groups.reduce(0) { $0 + $1.records } == 10_000)
            #expect(groups.reduce(0) { $0 + $1.quantity } == batch.reduce(0) { $0 + $1.quantity })
        }
    }

    @Test(arguments: StoreKind.tested)
    func pendingAndCarriedFollowTheReportColumns(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([
                Self.usage("a1", quantity: 1, timestamp: 100), Self.usage("a2", quantity: 2, timestamp: 200), Self.usage("a3", quantity: 4, timestamp: 200),
                Self.usage("b1", customer: "cus_2", quantity: 8),
            ])
            // What the reporter does in the transaction that writes a report: take records still pending, here carried.
            let report = try #require(
                try await database.createReports(
                    [
                        PlannedReport(
                            channel: .meterEvent(eventName: "api_requests"), purpose: .usage, customerID: "cus_1", metric: "api_requests",
                            period: nil, quantity: 3, timestamp: 200, carried: true, recordIDs: ["a1", "a2"]
                        )
                    ],
                    at: UnixTime(milliseconds: 1)
                ).first
            )
            let totals = try #require(try await database.usage(customerID: "cus_1").first)
            #expect(totals.recorded == 7 && totals.records == 3)
            #expect(totals.pending == 4 && totals.pendingRecords == 1)
            #expect(totals.carried == 3 && totals.carriedRecords == 2)
            // Equal timestamps: the record stored last is the latest.
            #expect(totals.latestQuantity == 4)
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.reportID) == [report.id, report.id, nil])

            let firstPage = try await database.pendingUsageGroups(after: nil, limit: 1)
            #expect(firstPage == [PendingUsageGroup(customerID: "cus_1", metric: "api_requests", records: 1, quantity: 4, firstTimestamp: 200, lastTimestamp: 200)])
            let secondPage = try await database.pendingUsageGroups(after: ("cus_1", "api_requests"), limit: 1)
            #expect(secondPage.map(\.customerID) == ["cus_2"])
            #expect(try await database.pendingUsageGroups(after: ("cus_2", "api_requests"), limit: 1).isEmpty)
        }
    }
}
