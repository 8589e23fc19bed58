import BillingCore
import BillingStore
import PostgresNIO

extension PostgreSQLDatabase: RereportStore {
    public func recordedUsage(customerID: String, metric: String, from: Int64, to: Int64) async throws -> [RecordedUsage] {
        let reports = try await rows(
            """
            SELECT \(unescaped: Self.reportColumns) FROM usage_reports
            WHERE customer_id = \(customerID) AND metric = \(metric) AND purpose != 'shadow'
            """,
            UsageReportRow.init(postgres:)
        )
        let byID = Dictionary(uniqueKeysWithValues: reports.map { ($0.id, $0) })
        return try await rows(
            """
            SELECT seq, id, quantity, timestamp, report_id FROM usage_records
            WHERE customer_id = \(customerID) AND metric = \(metric) AND timestamp >= \(from) AND timestamp < \(to) ORDER BY seq
            """
        ) { row in
            let (sequence, id, quantity, timestamp, reportID) = try row.decode((Int64, String, Int64, Int64, Int64?).self)
            return RecordedUsage(
                sequence: sequence, id: id, quantity: quantity, timestamp: timestamp, delivery: RecordedUsage.Delivery(report: reportID.flatMap { byID[$0] })
            )
        }
    }

    public func rereports(customerID: String, metric: String, periodStart: Int64) async throws -> [UsageReportRow] {
        try await rows(
            """
            SELECT \(unescaped: Self.reportColumns) FROM usage_reports
            WHERE customer_id = \(customerID) AND metric = \(metric) AND period_start = \(periodStart) AND purpose = 'rereport' ORDER BY id
            """,
            UsageReportRow.init(postgres:)
        )
    }
}
