import BillingStore
import PostgresNIO

extension PostgreSQLDatabase: UsageLedgerStore {
    public func recordUsage(_ records: [UsageRecordInput]) async throws -> UsageIngestResult {
        guard !records.isEmpty else { return UsageIngestResult(accepted: 0, duplicateIndices: []) }
        let plan = try UsageBatchPlan(records)
        let ordered = plan.insertionOrder.map { records[$0] }
        return try await transaction { connection in
            // One statement for the batch, in the plan's (index) order; the ids it did not insert are already stored.
            let inserted = Set(
                try await connection.rows(
                    """
                    INSERT INTO usage_records (id, customer_id, metric, quantity, timestamp, received_at)
                    SELECT * FROM unnest(\(ordered.map(\.id))::text[], \(ordered.map(\.customerID))::text[], \(ordered.map(\.metric))::text[],
                        \(ordered.map(\.quantity))::bigint[], \(ordered.map(\.timestamp))::bigint[], \(ordered.map(\.receivedAt))::bigint[])
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                    """,
                    logger: logger
                ) { try $0.decode(String.self) }
            )
            var duplicateIndices = plan.repeatedIndices
            let taken = plan.insertionOrder.filter { !inserted.contains(records[$0].id) }
            if !taken.isEmpty {
                // The ids were taken by an earlier request: by this same usage (a retry) or by another one.
                let stored = try await connection.rows(
                    "SELECT \(unescaped: Self.usageColumns) FROM usage_records WHERE id = ANY(\(taken.map { records[$0].id }))", logger: logger,
                    UsageRecord.init(postgres:)
                )
                let byID = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                // Positions in order, so the error names the first conflicting record of the batch.
                for index in taken.sorted() {
                    let record = records[index]
                    guard let existing = byID[record.id] else {
                        throw PostgresStoreError(message: "insert of usage \(record.id) conflicted but no row has that id")
                    }
                    guard record.isSameUsage(as: existing) else { throw UsageLedgerError.idConflict(index: index, record: record, stored: existing) }
                    duplicateIndices.append(index)
                }
            }
            duplicateIndices.sort()
            return UsageIngestResult(accepted: records.count - duplicateIndices.count, duplicateIndices: duplicateIndices)
        }
    }

    public func usage(customerID: String) async throws -> [UsageMetricTotals] {
        try await rows(
            """
            SELECT metric, count(*), sum(quantity)::bigint,
                count(*) FILTER (WHERE report_id IS NULL), coalesce(sum(quantity) FILTER (WHERE report_id IS NULL), 0)::bigint,
                count(*) FILTER (WHERE carried), coalesce(sum(quantity) FILTER (WHERE carried), 0)::bigint,
                min(timestamp), max(timestamp),
                (array_agg(quantity ORDER BY timestamp DESC, seq DESC))[1]
            FROM usage_records WHERE customer_id = \(customerID) GROUP BY metric ORDER BY metric
            """
        ) { row in
            let (metric, records, recorded, pendingRecords, pending, carriedRecords, carried, first, last, latest) = try row.decode(
                (String, Int, Int64, Int, Int64, Int, Int64, Int64, Int64, Int64).self
            )
            return UsageMetricTotals(
                metric: metric, records: records, recorded: recorded, pendingRecords: pendingRecords, pending: pending,
                carriedRecords: carriedRecords, carried: carried, firstTimestamp: first, lastTimestamp: last, latestQuantity: latest
            )
        }
    }

    public func usageRecords(customerID: String) async throws -> [UsageRecord] {
        try await rows(
            "SELECT \(unescaped: Self.usageColumns) FROM usage_records WHERE customer_id = \(customerID) ORDER BY seq", UsageRecord.init(postgres:)
        )
    }

    public func pendingUsageGroups(after: (customerID: String, metric: String)?, limit: Int) async throws -> [PendingUsageGroup] {
        let cursor = after ?? ("", "")
        return try await rows(
            """
            SELECT customer_id, metric, count(*), sum(quantity)::bigint, min(timestamp), max(timestamp)
            FROM usage_records WHERE report_id IS NULL AND (customer_id, metric) > (\(cursor.customerID), \(cursor.metric))
            GROUP BY customer_id, metric ORDER BY customer_id, metric LIMIT \(Int64(limit))
            """
        ) { row in
            let (customerID, metric, records, quantity, first, last) = try row.decode((String, String, Int, Int64, Int64, Int64).self)
            return PendingUsageGroup(customerID: customerID, metric: metric, records: records, quantity: quantity, firstTimestamp: first, lastTimestamp: last)
        }
    }

    static let usageColumns = "id, customer_id, metric, quantity, timestamp, received_at, report_id, carried"
}

extension UsageRecord {
    /// Decodes a row selected with `PostgreSQLDatabase.usageColumns`.
    init(postgres row: PostgresRow) throws {
        let (id, customerID, metric, quantity, timestamp, receivedAt, reportID, carried) = try row.decode(
            (String, String, String, Int64, Int64, Int64, Int64?, Bool).self
        )
        self.init(
            id: id, customerID: customerID, metric: metric, quantity: quantity, timestamp: timestamp, receivedAt: receivedAt,
            reportID: reportID, carried: carried
        )
    }
}
