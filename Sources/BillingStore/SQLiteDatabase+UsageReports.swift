import BillingCore
import CSQLite

extension SQLiteDatabase: UsageReportStore {
    public func unreportedUsage(after cursor: PendingUsage?, limit: Int) async throws -> [PendingUsage] {
        try await read { connection in
            // Keyset paging along the pending index, which is in rowid order: no sort, however large the backlog.
            try connection.query(
                """
                SELECT rowid, id, customer_id, metric, quantity, timestamp FROM usage_records INDEXED BY usage_records_pending
                WHERE report_id IS NULL AND rowid > ?2 ORDER BY rowid LIMIT ?1
                """,
                [.integer(Int64(limit)), .integer(cursor?.sequence ?? 0)]
            ) { row in
                PendingUsage(
                    sequence: row.int64(at: 0), id: row.string(at: 1), customerID: row.string(at: 2), metric: row.string(at: 3),
                    quantity: row.int64(at: 4), timestamp: row.int64(at: 5)
                )
            }
        }
    }

    public func createReports(_ reports: [PlannedReport], at now: UnixTime) async throws -> [UsageReportRow] {
        try await write { connection in
            let identity = try connection.query("SELECT identity FROM store_identity WHERE id = 1") { $0.string(at: 0) }.first ?? "local"
            var rows: [UsageReportRow] = []
            for report in reports {
                let key = ReportKey.key(for: report, storeIdentity: identity)
                // The same report planned again (after a crash, or while a replanned report's usage waits for the item's
                // new mode): the stored row answers, and no record moves.
                if let stored = try connection.query(
                    "SELECT \(Self.reportColumns) FROM usage_reports WHERE key = ?1", [.text(key)], row: UsageReportRow.init(row:)
                ).first {
                    rows.append(stored)
                    continue
                }
                let columns = ReportChannelColumns(report.channel)
                try connection.run(
                    """
                    INSERT INTO usage_reports (key, channel, purpose, subscription_id, item_id, action, event_name, customer_id, metric,
                        period_start, period_end, quantity, timestamp, carried, next_attempt_at, created_at)
                    VALUES (?15, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)
                    """,
                    [
                        .text(columns.channel), .text(report.purpose.rawValue), columns.subscriptionID.sqlite, columns.itemID.sqlite,
                        columns.action.sqlite, columns.eventName.sqlite, .text(report.customerID), .text(report.metric),
                        report.period.map { .integer($0.start) } ?? .null, report.period.map { .integer($0.end) } ?? .null,
                        .integer(report.quantity), .integer(report.timestamp), .integer(report.carried ? 1 : 0), .integer(now.milliseconds),
                        .text(key),
                    ]
                )
                let id = connection.lastInsertRowID
                for recordID in report.recordIDs {
                    let assigned = try connection.run(
                        "UPDATE usage_records SET report_id = ?2, carried = ?3 WHERE id = ?1 AND report_id IS NULL",
                        [.text(recordID), .integer(id), .integer(report.carried ? 1 : 0)]
                    )
                    guard assigned == 1 else {
                        // Rolls back this job's savepoint: none of these reports exist, no record moved.
                        throw SQLiteError(code: .executionFailed, resultCode: SQLITE_CONSTRAINT, message: "usage record \(recordID) is already reported or unknown")
                    }
                }
                rows.append(UsageReportRow(created: report, id: id, key: key, at: now))
            }
            return rows
        }
    }

    public func dueReports(at now: UnixTime, limit: Int) async throws -> [UsageReportRow] {
        try await read { connection in
            try connection.query(
                "SELECT \(Self.reportColumns) FROM usage_reports WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
                [.integer(now.milliseconds), .integer(Int64(limit))], row: UsageReportRow.init(row:)
            )
        }
    }

    public func markReportsAttempted(ids: [Int64], at now: UnixTime) async throws {
        guard !ids.isEmpty else { return }
        try await write { connection in
            for id in ids {
                try connection.run(
                    "UPDATE usage_reports SET first_attempt_at = ?2 WHERE id = ?1 AND first_attempt_at IS NULL", [.integer(id), .integer(now.milliseconds)]
                )
            }
        }
    }

    public func markReportSent(id: Int64, at now: UnixTime) async throws {
        try await write { connection in
            try connection.run("UPDATE usage_reports SET status = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1", [.integer(id), .integer(now.milliseconds)])
        }
    }

    public func markReportFailed(id: Int64, error: String, retryAt: UnixTime?) async throws {
        try await write { connection in
            try connection.run(
                """
                UPDATE usage_reports SET attempts = attempts + 1, last_error = ?2,
                    status = CASE WHEN ?3 IS NULL THEN 'dead' ELSE status END, next_attempt_at = coalesce(?3, next_attempt_at)
                WHERE id = ?1
                """,
                [.integer(id), .text(error), retryAt.map { .integer($0.milliseconds) } ?? .null]
            )
        }
    }

    public func abandonReport(id: Int64, reason: String) async throws {
        try await write { connection in
            try connection.run("UPDATE usage_records SET report_id = NULL, carried = 0 WHERE report_id = ?1", [.integer(id)])
            try connection.run(
                "UPDATE usage_reports SET status = 'replanned', attempts = attempts + 1, last_error = ?2 WHERE id = ?1", [.integer(id), .text(reason)]
            )
        }
    }

    public func retryDeadReports(at now: UnixTime) async throws -> Int {
        try await write { connection in
            try connection.run(
                "UPDATE usage_reports SET status = 'pending', next_attempt_at = ?1, first_attempt_at = NULL WHERE status = 'dead'", [.integer(now.milliseconds)]
            )
        }
    }

    public func reports(customerID: String) async throws -> [UsageReportRow] {
        try await read { connection in
            try connection.query("SELECT \(Self.reportColumns) FROM usage_reports WHERE customer_id = ?1 ORDER BY id", [.text(customerID)], row: UsageReportRow.init(row:))
        }
    }

    public func reportCounts() async throws -> [UsageReportRow.Status: Int] {
        try await read { connection in
            var counts = Dictionary(uniqueKeysWithValues: UsageReportRow.Status.allCases.map { ($0, 0) })
            for (status, count) in try connection.query("SELECT status, count(*) FROM usage_reports GROUP BY status", row: { ($0.string(at: 0), $0.int(at: 1)) }) {
                if let status = UsageReportRow.Status(rawValue: status) { counts[status] = count }
            }
            return counts
        }
    }

    public func legacyReportedTotal(customerID: String, metric: String, itemID: String, from: Int64, to: Int64) async throws -> Int64 {
        try await read { connection in
            try connection.query(
                """
                SELECT coalesce(sum(r.quantity), 0) FROM usage_reports p JOIN usage_records r ON r.report_id = p.id
                WHERE p.customer_id = ?1 AND p.metric = ?2 AND p.channel = 'usage_record' AND p.item_id = ?3 AND p.status = 'sent'
                    AND r.timestamp >= ?4 AND r.timestamp < ?5
                """,
                [.text(customerID), .text(metric), .text(itemID), .integer(from), .integer(to)]
            ) { $0.int64(at: 0) }.first ?? 0
        }
    }

    public func pendingLegacyReports(itemID: String) async throws -> [UsageReportRow] {
        try await read { connection in
            try connection.query(
                "SELECT \(Self.reportColumns) FROM usage_reports WHERE status = 'pending' AND channel = 'usage_record' AND item_id = ?1 AND purpose = 'usage'",
                [.text(itemID)], row: UsageReportRow.init(row:)
            )
        }
    }

    static let reportColumns = """
        id, key, channel, purpose, subscription_id, item_id, action, event_name, customer_id, metric, period_start, period_end,
        quantity, timestamp, carried, status, attempts, last_error, next_attempt_at, created_at, sent_at, first_attempt_at
        """
}

extension Optional where Wrapped == String {
    fileprivate var sqlite: SQLiteValue { map(SQLiteValue.text) ?? .null }
}

extension UsageReportRow {
    init(row: SQLiteStatement) throws {
        let channel = ReportChannelColumns(
            channel: row.string(at: 2), subscriptionID: row.optionalString(at: 4), itemID: row.optionalString(at: 5),
            action: row.optionalString(at: 6), eventName: row.optionalString(at: 7)
        ).plannedChannel
        let period = row.optionalInt64(at: 10).flatMap { start in row.optionalInt64(at: 11).map { BillingPeriod(start: start, end: $0) } }
        self.init(
            id: row.int64(at: 0), key: row.string(at: 1), channel: channel, purpose: PlannedReport.Purpose(rawValue: row.string(at: 3)) ?? .usage,
            customerID: row.string(at: 8), metric: row.string(at: 9), period: period, quantity: row.int64(at: 12), timestamp: row.int64(at: 13),
            carried: row.int64(at: 14) != 0, status: Status(rawValue: row.string(at: 15)) ?? .pending, attempts: row.int(at: 16),
            lastError: row.optionalString(at: 17), nextAttemptAt: UnixTime(milliseconds: row.int64(at: 18)),
            createdAt: UnixTime(milliseconds: row.int64(at: 19)), sentAt: row.optionalInt64(at: 20).map(UnixTime.init(milliseconds:)),
            firstAttemptAt: row.optionalInt64(at: 21).map(UnixTime.init(milliseconds:))
        )
    }
}
