import BillingCore

extension SQLiteDatabase: RereportStore {
    public func recordedUsage(customerID: String, metric: String, from: Int64, to: Int64) async throws -> [RecordedUsage] {
        try await read { connection in
            // Two index paths, no scan of the whole ledger: reported records through their reports (by customer, metric),
            // unreported ones through the pending index.
            let reports = try connection.query(
                "SELECT \(Self.reportColumns) FROM usage_reports WHERE customer_id = ?1 AND metric = ?2 AND purpose != 'shadow'",
                [.text(customerID), .text(metric)], row: UsageReportRow.init(row:)
            )
            var usage: [RecordedUsage] = []
            for report in reports {
                usage += try connection.query(
                    """
                    SELECT rowid, id, quantity, timestamp FROM usage_records INDEXED BY usage_records_report
                    WHERE report_id = ?1 AND timestamp >= ?2 AND timestamp < ?3
                    """,
                    [.integer(report.id), .integer(from), .integer(to)]
                ) { row in
                    RecordedUsage(
                        sequence: row.int64(at: 0), id: row.string(at: 1), quantity: row.int64(at: 2), timestamp: row.int64(at: 3),
                        delivery: RecordedUsage.Delivery(report: report)
                    )
                }
            }
            usage += try connection.query(
                """
                SELECT rowid, id, quantity, timestamp FROM usage_records INDEXED BY usage_records_pending
                WHERE report_id IS NULL AND customer_id = ?1 AND metric = ?2 AND timestamp >= ?3 AND timestamp < ?4
                """,
                [.text(customerID), .text(metric), .integer(from), .integer(to)]
            ) { row in
                RecordedUsage(sequence: row.int64(at: 0), id: row.string(at: 1), quantity: row.int64(at: 2), timestamp: row.int64(at: 3), delivery: .unreported)
            }
            return usage.sorted { $0.sequence < $1.sequence }
        }
    }

    public func rereports(customerID: String, metric: String, periodStart: Int64) async throws -> [UsageReportRow] {
        try await read { connection in
            try connection.query(
                """
                SELECT \(Self.reportColumns) FROM usage_reports
                WHERE customer_id = ?1 AND metric = ?2 AND period_start = ?3 AND purpose = 'rereport' ORDER BY id
                """,
                [.text(customerID), .text(metric), .integer(periodStart)], row: UsageReportRow.init(row:)
            )
        }
    }
}
