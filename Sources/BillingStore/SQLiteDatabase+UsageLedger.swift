import CSQLite

extension SQLiteDatabase: UsageLedgerStore {
    public func recordUsage(_ records: [UsageRecordInput]) async throws -> UsageIngestResult {
        guard !records.isEmpty else { return UsageIngestResult(accepted: 0, duplicateIndices: []) }
        let plan = try UsageBatchPlan(records)
        // One write job: its savepoint makes the batch all-or-nothing, and it shares the group commit's one fsync.
        return try await write { connection in
            try Self.insertUsage(records, plan: plan, on: connection)
        }
    }

    public func usage(customerID: String) async throws -> [UsageMetricTotals] {
        try await read { connection in
            let totals = try connection.query(
                """
                SELECT metric, count(*), sum(quantity),
                    sum(report_id IS NULL), coalesce(sum(CASE WHEN report_id IS NULL THEN quantity END), 0),
                    sum(carried != 0), coalesce(sum(CASE WHEN carried != 0 THEN quantity END), 0),
                    min(timestamp), max(timestamp)
                FROM (\(Self.customerRecordsSQL)) GROUP BY metric ORDER BY metric
                """,
                [.text(customerID)]
            ) { row in
                UsageMetricTotals(
                    metric: row.string(at: 0), records: row.int(at: 1), recorded: row.int64(at: 2),
                    pendingRecords: row.int(at: 3), pending: row.int64(at: 4), carriedRecords: row.int(at: 5), carried: row.int64(at: 6),
                    firstTimestamp: row.int64(at: 7), lastTimestamp: row.int64(at: 8), latestQuantity: 0
                )
            }
            return try totals.map { metric in
                var metric = metric
                metric.latestQuantity = try connection.query(
                    "SELECT quantity FROM (\(Self.customerRecordsSQL)) WHERE metric = ?2 ORDER BY timestamp DESC, seq DESC LIMIT 1",
                    [.text(customerID), .text(metric.metric)]
                ) { $0.int64(at: 0) }.first ?? 0
                return metric
            }
        }
    }

    public func usageRecords(customerID: String) async throws -> [UsageRecord] {
        try await read { connection in
            try connection.query(
                "SELECT \(Self.usageColumns) FROM (\(Self.customerRecordsSQL)) ORDER BY seq",
                [.text(customerID)], row: UsageRecord.init(row:)
            )
        }
    }

    public func pendingUsageGroups(after: (customerID: String, metric: String)?, limit: Int) async throws -> [PendingUsageGroup] {
        try await read { connection in
            // Pending usage is indexed in arrival order (migration 7): the groups are sorted here, which costs a pass
            // over the pending records only, never over the reported ones.
            try connection.query(
                """
                SELECT customer_id, metric, count(*), sum(quantity), min(timestamp), max(timestamp)
                FROM usage_records INDEXED BY usage_records_pending WHERE report_id IS NULL AND (customer_id, metric) > (?1, ?2)
                GROUP BY customer_id, metric ORDER BY customer_id, metric LIMIT ?3
                """,
                [.text(after?.customerID ?? ""), .text(after?.metric ?? ""), .integer(Int64(limit))], row: PendingUsageGroup.init(row:)
            )
        }
    }
}

extension SQLiteDatabase {
    static let usageColumns = "id, customer_id, metric, quantity, timestamp, received_at, report_id, carried"

    /// Every usage record of customer `?1`, as a subquery with `seq` (the rowid: the order stored) and `usageColumns`.
    ///
    /// No index orders the ledger by customer (migrations 6 and 7, so ingest only appends): the pending records come
    /// from a pass over the pending ones (few: the reporter reports them every flush interval), the reported ones
    /// through the customer's reports. Every record is in exactly one of the two.
    static let customerRecordsSQL = """
        SELECT rowid AS seq, \(usageColumns) FROM usage_records INDEXED BY usage_records_pending
        WHERE report_id IS NULL AND customer_id = ?1
        UNION ALL
        SELECT r.rowid, r.id, r.customer_id, r.metric, r.quantity, r.timestamp, r.received_at, r.report_id, r.carried
        FROM usage_reports p JOIN usage_records r ON r.report_id = p.id
        WHERE p.customer_id = ?1 AND r.customer_id = ?1
        """

    static let insertUsageSQL = """
        INSERT INTO usage_records (id, customer_id, metric, quantity, timestamp, received_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING
        """

    /// The hot path of usage ingest: one cached INSERT per record, in the plan's order; only an id already stored costs a
    /// second statement. Throws `UsageLedgerError` for the first record (by position) whose id is stored with other
    /// content; the caller's savepoint then drops the whole batch.
    static func insertUsage(_ records: [UsageRecordInput], plan: UsageBatchPlan, on connection: SQLiteConnection) throws -> UsageIngestResult {
        var duplicateIndices = plan.repeatedIndices
        var conflict: UsageLedgerError?
        try connection.withStatement(insertUsageSQL) { statement in
            for index in plan.insertionOrder {
                let record = records[index]
                try statement.bind(record.id, at: 1)
                try statement.bind(record.customerID, at: 2)
                try statement.bind(record.metric, at: 3)
                try statement.bind(record.quantity, at: 4)
                try statement.bind(record.timestamp, at: 5)
                try statement.bind(record.receivedAt, at: 6)
                _ = try statement.step()
                let inserted = connection.changes == 1
                statement.reset()
                if inserted { continue }
                // The id is taken by an earlier request: by this same usage (a retry) or by another one.
                let stored = try connection.query(
                    "SELECT \(usageColumns) FROM usage_records WHERE id = ?1", [.text(record.id)], row: UsageRecord.init(row:)
                ).first
                guard let stored else {
                    throw SQLiteError(code: .unexpectedValue, resultCode: SQLITE_CONSTRAINT, message: "Insert of usage \(record.id) conflicted but no row has that id")
                }
                if record.isSameUsage(as: stored) {
                    duplicateIndices.append(index)
                } else if index < conflict?.recordIndex ?? Int.max {
                    // Not thrown yet: records are inserted out of position order, and the answer names the first.
                    conflict = UsageLedgerError.idConflict(index: index, record: record, stored: stored)
                }
            }
        }
        if let conflict { throw conflict }
        duplicateIndices.sort()
        return UsageIngestResult(accepted: records.count - duplicateIndices.count, duplicateIndices: duplicateIndices)
    }
}

extension UsageRecord {
    /// Decodes a row selected with `SQLiteDatabase.usageColumns`.
    init(row: SQLiteStatement) throws {
        self.init(
            id: row.string(at: 0), customerID: row.string(at: 1), metric: row.string(at: 2), quantity: row.int64(at: 3),
            timestamp: row.int64(at: 4), receivedAt: row.int64(at: 5), reportID: row.optionalInt64(at: 6), carried: row.int64(at: 7) != 0
        )
    }
}

extension PendingUsageGroup {
    init(row: SQLiteStatement) throws {
        self.init(
            customerID: row.string(at: 0), metric: row.string(at: 1), records: row.int(at: 2), quantity: row.int64(at: 3),
            firstTimestamp: row.int64(at: 4), lastTimestamp: row.int64(at: 5)
        )
    }
}
