import BillingCore
import BillingStore
import Foundation
import Testing

/// The reporter's ledger (`UsageReportStore`): reports written before Stripe is called, each record in at most one.
///
/// The tests resolve (send, fail, abandon) every report `dueReports` returns before calling it again, as the reporter
/// does: PostgreSQL claims the rows it returns until then, SQLite (one instance) does not need to.
@Suite("Usage reports")
struct UsageReportTests {
    static let period = BillingPeriod(start: 1_700_000_000, end: 1_702_592_000)

    static func usage(
        _ id: String, customer: String = "cus_1", metric: String = "api_requests", quantity: Int64 = 1, timestamp: Int64 = 1_700_000_100
    ) -> UsageRecordInput {
        UsageRecordInput(id: id, customerID: customer, metric: metric, quantity: quantity, timestamp: timestamp, receivedAt: 1_700_000_000_000)
    }

    /// A legacy usage record on `item`, delivering `records`.
    static func legacy(
        _ records: [String], item: String = "si_1", customer: String = "cus_1", metric: String = "api_requests", quantity: Int64 = 1,
        purpose: PlannedReport.Purpose = .usage, carried: Bool = false
    ) -> PlannedReport {
        PlannedReport(
            channel: .usageRecord(subscriptionID: "sub_1", itemID: item, action: .increment), purpose: purpose, customerID: customer, metric: metric,
            period: period, quantity: quantity, timestamp: 1_700_000_200, carried: carried, recordIDs: records
        )
    }

    /// A meter event delivering `records`.
    static func meter(
        _ records: [String], customer: String = "cus_1", metric: String = "api_requests", quantity: Int64 = 1, carried: Bool = false
    ) -> PlannedReport {
        PlannedReport(
            channel: .meterEvent(eventName: metric), purpose: .usage, customerID: customer, metric: metric, period: nil, quantity: quantity,
            timestamp: 1_700_000_300, carried: carried, recordIDs: records
        )
    }

    /// A customer's records are its pending ones and those in its reports (no index orders the ledger by customer):
    /// all of them, in the order they were stored (a batch is stored by customer, metric and time), none of another
    /// customer's, and back among the pending when a report is abandoned.
    @Test(arguments: StoreKind.tested)
    func aCustomersRecordsAreItsPendingAndItsReportedOnesInArrivalOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([
                Self.usage("a1", quantity: 2, timestamp: 1_700_000_100), Self.usage("b1", customer: "cus_2", quantity: 9),
                Self.usage("a2", quantity: 3, timestamp: 1_700_000_300), Self.usage("a3", quantity: 5, timestamp: 1_700_000_200),
                Self.usage("b2", customer: "cus_2", quantity: 1),
            ])
            let rows = try await database.createReports(
                [Self.legacy(["a2"], quantity: 3), Self.meter(["b1"], customer: "cus_2", quantity: 9), Self.meter(["a3"], quantity: 5)], at: UnixTime(milliseconds: 1_000)
            )
            try await database.markReportSent(id: rows[0].id, at: UnixTime(milliseconds: 2_000))
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.id) == ["a1", "a3", "a2"])
            #expect(try await database.usageRecords(customerID: "cus_2").map(\.id) == ["b1", "b2"])
            let totals = try #require(try await database.usage(customerID: "cus_1").first)
            #expect(totals.records == 3 && totals.recorded == 10 && totals.pendingRecords == 1 && totals.pending == 2)
            // The latest by timestamp is a reported record (a2 at …300), while a1 is still pending.
            #expect(totals.latestQuantity == 3 && totals.firstTimestamp == 1_700_000_100 && totals.lastTimestamp == 1_700_000_300)
            #expect(try await database.legacyReportedTotal(
                customerID: "cus_1", metric: "api_requests", itemID: "si_1", from: Self.period.start, to: Self.period.end
            ) == 3)
            try await database.abandonReport(id: rows[2].id, reason: "test")
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.id) == ["a1", "a3", "a2"])
            let after = try #require(try await database.usage(customerID: "cus_1").first)
            #expect(after.records == 3 && after.pendingRecords == 2 && after.pending == 7)
        }
    }

    @Test(arguments: StoreKind.tested)
    func createReportsWritesTheRowsAndAssignsTheirRecords(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([
                Self.usage("u1", quantity: 2), Self.usage("u2", quantity: 3), Self.usage("u3", quantity: 5), Self.usage("u4", quantity: 7),
            ])
            let rows = try await database.createReports(
                [Self.legacy(["u1", "u2"], quantity: 5), Self.meter(["u3"], quantity: 5, carried: true)], at: UnixTime(milliseconds: 1_000)
            )
            #expect(rows.count == 2)
            #expect(rows[0].id < rows[1].id)
            #expect(rows[0].channel == .usageRecord(subscriptionID: "sub_1", itemID: "si_1", action: .increment))
            #expect(rows[0].period == Self.period && rows[0].quantity == 5 && rows[0].timestamp == 1_700_000_200 && !rows[0].carried)
            #expect(rows[1].channel == .meterEvent(eventName: "api_requests"))
            #expect(rows[1].period == nil && rows[1].carried && rows[1].timestamp == 1_700_000_300)
            for row in rows {
                #expect(row.purpose == .usage && row.customerID == "cus_1" && row.metric == "api_requests")
                #expect(row.status == .pending && row.attempts == 0 && row.lastError == nil && row.sentAt == nil)
                #expect(row.nextAttemptAt == UnixTime(milliseconds: 1_000) && row.createdAt == UnixTime(milliseconds: 1_000))
            }
            // What is stored is what was returned.
            #expect(try await database.reports(customerID: "cus_1") == rows)
            #expect(try await database.reports(customerID: "cus_2").isEmpty)
            #expect(try await database.reportCounts() == [.pending: 2, .sent: 0, .dead: 0, .replanned: 0])

            let records = try await database.usageRecords(customerID: "cus_1")
            #expect(records.map(\.reportID) == [rows[0].id, rows[0].id, rows[1].id, nil])
            #expect(records.map(\.carried) == [false, false, true, false])
            #expect(try await database.unreportedUsage(after: nil, limit: 10).map(\.id) == ["u4"])
            let totals = try #require(try await database.usage(customerID: "cus_1").first)
            #expect(totals.pending == 7 && totals.pendingRecords == 1 && totals.carried == 5 && totals.carriedRecords == 1)
        }
    }

    /// Keys follow the content: different reports never share one, the same report planned again is the same row.
    @Test(arguments: StoreKind.tested)
    func keysFollowTheReportsContentAndTheSameReportIsOneRow(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            var rows: [UsageReportRow] = []
            for round in 0..<5 {
                // Shadows and re-reports deliver no records: their content tells them apart.
                rows += try await database.createReports(
                    [
                        Self.legacy([], quantity: Int64(round), purpose: .rereport), Self.meter([], quantity: Int64(round)),
                        Self.legacy([], item: "si_\(round)", purpose: .shadow),
                    ],
                    at: UnixTime(milliseconds: Int64(round))
                )
            }
            #expect(rows.count == 15)
            #expect(Set(rows.map(\.id)).count == 15)
            #expect(Set(rows.map(\.key)).count == 15)
            let identity = try #require(rows.first?.key.split(separator: "-").dropFirst().first.map(String.init))
            // A random identity per store (12 hex digits), then 32 hex digits of digest: 48 characters, within the 100 of
            // a meter identifier.
            #expect(identity.count == 12 && identity.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(identity)")
            for row in rows {
                let parts = row.key.split(separator: "-")
                #expect(parts.count == 3 && parts[0] == "mb" && parts[1] == identity && parts[2].count == 32, "\(row.key)")
                #expect(parts[2].allSatisfy { $0.isHexDigit && !$0.isUppercase })
            }
            #expect(try await database.reports(customerID: "cus_1").map(\.key) == rows.map(\.key))

            // The same reports planned again, later (a crash between planning and marking done, a restore): the same rows.
            _ = try await database.recordUsage([Self.usage("u1")])
            let withRecord = try await database.createReports([Self.meter(["u1"])], at: UnixTime(milliseconds: 100))
            let again = try await database.createReports(
                [Self.legacy([], quantity: 3, purpose: .rereport), Self.legacy([], item: "si_4", purpose: .shadow), Self.meter(["u1"])],
                at: UnixTime(milliseconds: 200)
            )
            #expect(again == [rows[9], rows[14], withRecord[0]])
            #expect(try await database.reports(customerID: "cus_1").count == 16)
            #expect(withRecord[0].key != rows[0].key && !rows.map(\.key).contains(withRecord[0].key))
        }
    }

    @Test(arguments: StoreKind.tested)
    func aRecordAlreadyReportedFailsTheWholeCall(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([Self.usage("u1"), Self.usage("u2"), Self.usage("u3")])
            let first = try await database.createReports([Self.meter(["u1"])], at: UnixTime(milliseconds: 1_000))

            // The second report of the call takes u1 again: the first report of the call is not written either.
            await #expect(throws: (any Error).self) {
                try await database.createReports([Self.meter(["u2"]), Self.legacy(["u3", "u1"])], at: UnixTime(milliseconds: 2_000))
            }
            // An unknown record fails it too.
            await #expect(throws: (any Error).self) {
                try await database.createReports([Self.meter(["u2", "u_unknown"])], at: UnixTime(milliseconds: 3_000))
            }
            #expect(try await database.reports(customerID: "cus_1") == first)
            #expect(try await database.reportCounts() == [.pending: 1, .sent: 0, .dead: 0, .replanned: 0])
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.reportID) == [first[0].id, nil, nil])
            #expect(try await database.unreportedUsage(after: nil, limit: 10).map(\.id) == ["u2", "u3"])

            // Nothing was left half done: the records are still free to report.
            let second = try await database.createReports([Self.meter(["u2"]), Self.legacy(["u3"])], at: UnixTime(milliseconds: 4_000))
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.reportID) == [first[0].id, second[0].id, second[1].id])
            #expect(Set((first + second).map(\.key)).count == 3)
        }
    }

    @Test(arguments: StoreKind.tested)
    func dueReportsComeInCreationOrderAndGoThroughSentFailedAndDead(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            // Reports without records differ by their content (quantity here): the same content is the same report.
            let created = try await database.createReports(
                [Self.meter([], quantity: 1), Self.meter([], quantity: 2), Self.legacy([], quantity: 3), Self.legacy([], quantity: 4)], at: UnixTime(milliseconds: 1_000)
            )
            let (r1, r2, r3, r4) = (created[0], created[1], created[2], created[3])
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 999), limit: 10).isEmpty)
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 1_000), limit: 2) == [r1, r2])

            try await database.markReportSent(id: r1.id, at: UnixTime(milliseconds: 1_100))
            try await database.markReportFailed(id: r2.id, error: "rate limited", retryAt: UnixTime(milliseconds: 5_000))
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 1_200), limit: 10) == [r3, r4])

            try await database.markReportFailed(id: r3.id, error: "timeout", retryAt: UnixTime(milliseconds: 2_000))
            try await database.markReportFailed(id: r4.id, error: "No such subscription item", retryAt: nil)
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 1_999), limit: 10).isEmpty)
            let retried = try await database.dueReports(at: UnixTime(milliseconds: 2_000), limit: 10)
            #expect(retried.map(\.id) == [r3.id])
            #expect(retried.first?.status == .pending && retried.first?.attempts == 1 && retried.first?.lastError == "timeout")
            #expect(retried.first?.nextAttemptAt == UnixTime(milliseconds: 2_000))
            try await database.markReportSent(id: r3.id, at: UnixTime(milliseconds: 2_100))

            let late = try #require(try await database.dueReports(at: UnixTime(milliseconds: 5_000), limit: 10).first)
            #expect(late.id == r2.id && late.attempts == 1 && late.lastError == "rate limited" && late.nextAttemptAt == UnixTime(milliseconds: 5_000))
            try await database.markReportFailed(id: r2.id, error: "Stripe refused it", retryAt: nil)
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 1_000_000), limit: 10).isEmpty)

            let stored = try await database.reports(customerID: "cus_1")
            #expect(stored.map(\.status) == [.sent, .dead, .sent, .dead])
            #expect(stored.map(\.attempts) == [0, 2, 1, 1])
            #expect(stored.map(\.lastError) == [nil, "Stripe refused it", nil, "No such subscription item"])
            #expect(stored.map(\.sentAt) == [UnixTime(milliseconds: 1_100), nil, UnixTime(milliseconds: 2_100), nil])
            // A dead report keeps the time it was last due; its key never changes.
            #expect(stored.map(\.nextAttemptAt) == [1_000, 5_000, 2_000, 1_000].map(UnixTime.init(milliseconds:)))
            #expect(stored.map(\.key) == created.map(\.key))
            #expect(try await database.reportCounts() == [.pending: 0, .sent: 2, .dead: 2, .replanned: 0])
        }
    }

    @Test(arguments: StoreKind.tested)
    func retryingDeadReportsPutsThemBackInTheQueue(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let created = try await database.createReports([Self.meter([], quantity: 1), Self.meter([], quantity: 2), Self.meter([], quantity: 3)], at: UnixTime(milliseconds: 1_000))
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 1_000), limit: 10) == created)
            try await database.markReportFailed(id: created[0].id, error: "bad key", retryAt: nil)
            try await database.markReportSent(id: created[1].id, at: UnixTime(milliseconds: 1_100))
            try await database.markReportFailed(id: created[2].id, error: "bad key", retryAt: nil)
            #expect(try await database.retryDeadReports(at: UnixTime(milliseconds: 9_000)) == 2)
            #expect(try await database.retryDeadReports(at: UnixTime(milliseconds: 9_500)) == 0)
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 8_999), limit: 10).isEmpty)

            let due = try await database.dueReports(at: UnixTime(milliseconds: 9_000), limit: 10)
            #expect(due.map(\.id) == [created[0].id, created[2].id])
            #expect(due.allSatisfy { $0.status == .pending && $0.nextAttemptAt == UnixTime(milliseconds: 9_000) && $0.attempts == 1 })
            #expect(due.map(\.key) == [created[0].key, created[2].key])
            try await database.markReportSent(id: created[0].id, at: UnixTime(milliseconds: 9_100))
            try await database.markReportSent(id: created[2].id, at: UnixTime(milliseconds: 9_100))
            // Sent clears the error of the failed attempts; their count stays.
            let stored = try await database.reports(customerID: "cus_1")
            #expect(stored.map(\.lastError) == [nil, nil, nil])
            #expect(stored.map(\.attempts) == [1, 0, 1])
            #expect(try await database.reportCounts() == [.pending: 0, .sent: 3, .dead: 0, .replanned: 0])
        }
    }

    @Test(arguments: StoreKind.tested)
    func abandoningAReportPutsItsRecordsBackToPending(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([Self.usage("u1", quantity: 2), Self.usage("u2", quantity: 3), Self.usage("u3", quantity: 4)])
            let created = try await database.createReports(
                [Self.legacy(["u1", "u2"], quantity: 5, carried: true), Self.meter(["u3"], quantity: 4)], at: UnixTime(milliseconds: 1_000)
            )
            let (abandoned, kept) = (created[0], created[1])
            #expect(try await database.usage(customerID: "cus_1").first?.carried == 5)

            try await database.abandonReport(id: abandoned.id, reason: "the period ended before Stripe took it")
            let stored = try await database.reports(customerID: "cus_1")
            #expect(stored.map(\.status) == [.replanned, .pending])
            #expect(stored[0].attempts == 1 && stored[0].lastError == "the period ended before Stripe took it")
            #expect(stored[1] == kept)
            let records = try await database.usageRecords(customerID: "cus_1")
            #expect(records.map(\.reportID) == [nil, nil, kept.id])
            #expect(records.map(\.carried) == [false, false, false])
            #expect(try await database.unreportedUsage(after: nil, limit: 10).map(\.id) == ["u1", "u2"])
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 1_000), limit: 10) == [kept])

            // The next plan carries them into a report of the current period.
            let replanned = try await database.createReports([Self.meter(["u1", "u2"], quantity: 5, carried: true)], at: UnixTime(milliseconds: 2_000))
            #expect(try await database.usageRecords(customerID: "cus_1").map(\.reportID) == [replanned[0].id, replanned[0].id, kept.id])
            #expect(try await database.usage(customerID: "cus_1").first?.pending == 0)
        }
    }

    /// A report whose usage was planned again elsewhere is done with: `flush --retry-dead` would send that usage twice.
    @Test(arguments: StoreKind.tested)
    func retryingDeadReportsNeverSendsAReportWhoseUsageWasPlannedAgain(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([Self.usage("u1", quantity: 2)])
            let refused = try await database.createReports([Self.legacy(["u1"], quantity: 2)], at: UnixTime(milliseconds: 1_000))
            try await database.abandonReport(id: refused[0].id, reason: "the item's price moved to a meter")
            let replanned = try await database.createReports([Self.meter(["u1"], quantity: 2)], at: UnixTime(milliseconds: 2_000))
            try await database.markReportSent(id: replanned[0].id, at: UnixTime(milliseconds: 2_100))

            #expect(try await database.retryDeadReports(at: UnixTime(milliseconds: 3_000)) == 0)
            #expect(try await database.dueReports(at: UnixTime(milliseconds: 3_000), limit: 10).isEmpty)
            #expect(try await database.reports(customerID: "cus_1").map(\.status) == [.replanned, .sent])
        }
    }

    @Test(arguments: StoreKind.tested)
    func legacyReportedTotalCountsSentUsageRecordsOfTheItemInTheRange(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            _ = try await database.recordUsage([
                Self.usage("t100", quantity: 1, timestamp: 100), Self.usage("t200", quantity: 10, timestamp: 200),
                Self.usage("t300", quantity: 100, timestamp: 300), Self.usage("t400", quantity: 1_000, timestamp: 400),
                Self.usage("t250", quantity: 10_000, timestamp: 250), Self.usage("seats", metric: "seats", quantity: 100_000, timestamp: 200),
                Self.usage("other", customer: "cus_2", quantity: 1_000_000, timestamp: 200), Self.usage("t150", quantity: 20_000_000, timestamp: 150),
            ])
            let created = try await database.createReports(
                [
                    Self.legacy(["t100", "t200"]), Self.legacy(["t300"]), Self.meter(["t400"]), Self.legacy(["t250"], item: "si_2"),
                    Self.legacy(["seats"], metric: "seats"), Self.legacy(["other"], customer: "cus_2"), Self.legacy(["t150"]),
                ],
                at: UnixTime(milliseconds: 1_000)
            )
            let sent = [created[0], created[2], created[3], created[4], created[5]]
            for report in sent { try await database.markReportSent(id: report.id, at: UnixTime(milliseconds: 1_100)) }
            // Stripe refused this one: it never counts.
            try await database.markReportFailed(id: created[6].id, error: "refused", retryAt: nil)

            func total(
                _ customer: String = "cus_1", _ metric: String = "api_requests", item: String = "si_1", from: Int64 = 0, to: Int64 = 1_000
            ) async throws -> Int64 {
                try await database.legacyReportedTotal(customerID: customer, metric: metric, itemID: item, from: from, to: to)
            }
            #expect(try await total() == 11)
            // [from, to): the end is left out.
            #expect(try await total(from: 100, to: 200) == 1)
            #expect(try await total(from: 101, to: 201) == 10)
            #expect(try await total(item: "si_2") == 10_000)
            #expect(try await total("cus_1", "seats") == 100_000)
            #expect(try await total("cus_2") == 1_000_000)
            #expect(try await total("cus_3") == 0)

            // Once Stripe takes the pending one, it counts.
            try await database.markReportSent(id: created[1].id, at: UnixTime(milliseconds: 1_200))
            #expect(try await total() == 111)
        }
    }

    @Test(arguments: StoreKind.tested)
    func pendingLegacyReportsAreTheItemsUndeliveredUsageRecords(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let created = try await database.createReports(
                [
                    Self.legacy([]), Self.legacy([], purpose: .rereport), Self.meter([]), Self.legacy([], item: "si_2"), Self.legacy([], quantity: 2),
                    Self.legacy([], quantity: 3), Self.legacy([], quantity: 4),
                ],
                at: UnixTime(milliseconds: 1_000)
            )
            try await database.markReportSent(id: created[4].id, at: UnixTime(milliseconds: 1_100))
            try await database.markReportFailed(id: created[5].id, error: "gone", retryAt: nil)
            try await database.markReportFailed(id: created[6].id, error: "busy", retryAt: UnixTime(milliseconds: 50_000))

            let pending = try await database.pendingLegacyReports(itemID: "si_1")
            // Pending includes a report waiting for its retry; sent, dead, re-reports, meter events and other items are not.
            var retrying = created[6]
            retrying.attempts = 1
            retrying.lastError = "busy"
            retrying.nextAttemptAt = UnixTime(milliseconds: 50_000)
            #expect(Set(pending) == [created[0], retrying])
            #expect(try await database.pendingLegacyReports(itemID: "si_2") == [created[3]])
            #expect(try await database.pendingLegacyReports(itemID: "si_3").isEmpty)
        }
    }

    /// Pending usage comes in the order it was stored, whatever its customer or time (the index behind it only grows
    /// at its end, which keeps ingest fast), and pages by that order without a gap or a repeat.
    @Test(arguments: StoreKind.tested)
    func unreportedUsagePagesInArrivalOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            // One request each, so the arrival order is the order below; a batch is stored by customer, metric and time.
            let records = [
                Self.usage("r9", customer: "cus_a", timestamp: 50), Self.usage("r10", customer: "cus_a", timestamp: 50),
                Self.usage("r1", customer: "cus_a", metric: "seats", timestamp: 10), Self.usage("r2", customer: "cus_B", timestamp: 70),
                Self.usage("taken", customer: "cus_a", timestamp: 30), Self.usage("r3", customer: "cus_a", timestamp: 0),
                Self.usage("r6", customer: "cus_c", metric: "api_requests", quantity: 9, timestamp: 5),
            ]
            for record in records {
                _ = try await database.recordUsage([record])
            }
            _ = try await database.createReports([Self.meter(["taken"], customer: "cus_a")], at: UnixTime(milliseconds: 1))

            let expected = ["r9", "r10", "r1", "r2", "r3", "r6"]
            let all = try await database.unreportedUsage(after: nil, limit: 100)
            #expect(all.map(\.id) == expected)
            #expect(zip(all, all.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
            for limit in [1, 2, 4] {
                var paged: [PendingUsage] = []
                var cursor: PendingUsage?
                while true {
                    let page = try await database.unreportedUsage(after: cursor, limit: limit)
                    #expect(page.count <= limit)
                    guard let last = page.last else { break }
                    paged += page
                    cursor = last
                }
                #expect(paged == all, "limit \(limit)")
            }
            let last = try #require(all.last)
            #expect(last == PendingUsage(sequence: last.sequence, id: "r6", customerID: "cus_c", metric: "api_requests", quantity: 9, timestamp: 5))

            // Usage stored after a page was read comes after it, also when it is older usage of an earlier customer.
            _ = try await database.recordUsage([Self.usage("late", customer: "cus_B", timestamp: 1)])
            #expect(try await database.unreportedUsage(after: last, limit: 100).map(\.id) == ["late"])
        }
    }
}
