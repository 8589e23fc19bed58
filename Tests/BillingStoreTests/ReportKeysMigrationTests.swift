import BillingCore
import BillingStore
import MeterBridgeTesting
import PostgresNIO
@testable import PostgresStore
import Testing

/// Migration 11 on a store of the previous release: the rows keep their ids and keys, dead usage reports whose records
/// went back to the ledger become `replanned`, and pending ones count their key window from their creation.
@Suite("Report keys migration")
struct ReportKeysMigrationTests {
    @Test func aStoreOfThePreviousReleaseKeepsItsReportsAndMarksTheAbandonedOnesReplanned() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var previous = SQLiteDatabase.Configuration()
        previous.migrations = Migration.all.filter { $0.version < 11 }
        let old = try await SQLiteDatabase.open(path: directory.databasePath, configuration: previous, logger: testLogger)
        try await old.write { connection in
            // 1 abandoned (dead, no record left), 2 refused by Stripe (dead, holds u2), 3 pending (holds u3), 4 sent.
            for (id, status) in [(1, "dead"), (2, "dead"), (3, "pending"), (4, "sent")] {
                try connection.run(
                    """
                    INSERT INTO usage_reports (id, key, channel, purpose, item_id, customer_id, metric, quantity, timestamp, status,
                        next_attempt_at, created_at)
                    VALUES (?1, 'mb-old-' || ?1, 'usage_record', 'usage', 'si_1', 'cus_1', 'api_requests', ?1, 100, ?2, 5000, ?1 * 1000)
                    """,
                    [.integer(Int64(id)), .text(status)]
                )
            }
            for (record, report) in [("u1", nil), ("u2", 2), ("u3", 3), ("u4", 4)] as [(String, Int64?)] {
                try connection.run(
                    """
                    INSERT INTO usage_records (id, customer_id, metric, quantity, timestamp, received_at, report_id)
                    VALUES (?1, 'cus_1', 'api_requests', 1, 100, 0, ?2)
                    """,
                    [.text(record), report.map { .integer($0) } ?? .null]
                )
            }
        }
        await old.close()

        let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger)
        do {
            try await Self.expectMigrated(database)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    static func expectMigrated(_ database: SQLiteDatabase) async throws {
        #expect(try await database.schemaVersion() == Migration.all.last?.version)
        let reports = try await database.reports(customerID: "cus_1")
        #expect(reports.map(\.id) == [1, 2, 3, 4])
        #expect(reports.map(\.key) == ["mb-old-1", "mb-old-2", "mb-old-3", "mb-old-4"])
        #expect(reports.map(\.status) == [.replanned, .dead, .pending, .sent])
        #expect(reports.map(\.firstAttemptAt) == [nil, nil, UnixTime(milliseconds: 3_000), nil])
        // The abandoned one is never retried; the refused one is.
        #expect(try await database.retryDeadReports(at: UnixTime(milliseconds: 9_000)) == 1)
        // New rows continue after the old ones.
        let created = try await database.createReports(
            [PlannedReport(channel: .meterEvent(eventName: "api_requests"), purpose: .usage, customerID: "cus_1", metric: "api_requests",
                           period: nil, quantity: 1, timestamp: 100, carried: false, recordIDs: ["u1"])],
            at: UnixTime(milliseconds: 10_000)
        )
        #expect(created.map(\.id) == [5])
    }

    @Test func postgresMarksTheAbandonedOnesReplanned() async throws {
        guard TestPostgres.isTested else { return }
        try await withFreshPostgresDatabase { url in
            try await TestPostgres.withConnection(to: url) { connection in
                try await migratePostgres(connection, below: 5)
                for (id, status) in [(1, "dead"), (2, "dead"), (3, "pending"), (4, "sent")] as [(Int64, String)] {
                    try await connection.query(
                        """
                        INSERT INTO usage_reports (id, key, channel, purpose, item_id, customer_id, metric, quantity, timestamp, status,
                            next_attempt_at, created_at)
                        VALUES (\(id), \("mb-old-\(id)"), 'usage_record', 'usage', 'si_1', 'cus_1', 'api_requests', \(id), 100, \(status), 5000, \(id * 1000))
                        """,
                        logger: testLogger
                    )
                }
                for (record, report) in [("u2", 2), ("u3", 3), ("u4", 4)] as [(String, Int64)] {
                    try await connection.query(
                        """
                        INSERT INTO usage_records (id, customer_id, metric, quantity, timestamp, received_at, report_id)
                        VALUES (\(record), 'cus_1', 'api_requests', 1, 100, 0, \(report))
                        """,
                        logger: testLogger
                    )
                }
            }
            try await withPostgresStore(at: url) { database in
                let reports = try await database.reports(customerID: "cus_1")
                #expect(reports.map(\.status) == [.replanned, .dead, .pending, .sent])
                #expect(reports.map(\.firstAttemptAt) == [nil, nil, UnixTime(milliseconds: 3_000), nil])
                #expect(try await database.retryDeadReports(at: UnixTime(milliseconds: 9_000)) == 1)
            }
        }
    }
}
