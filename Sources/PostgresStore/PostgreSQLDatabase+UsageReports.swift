import BillingCore
import BillingStore
import NIOCore
import PostgresNIO

extension PostgreSQLDatabase: UsageReportStore {
    public func unreportedUsage(after cursor: PendingUsage?, limit: Int) async throws -> [PendingUsage] {
        try await rows(
            """
            SELECT seq, id, customer_id, metric, quantity, timestamp FROM usage_records
            WHERE report_id IS NULL AND seq > \(cursor?.sequence ?? 0) ORDER BY seq LIMIT \(Int64(limit))
            """
        ) { row in
            let (sequence, id, customerID, metric, quantity, timestamp) = try row.decode((Int64, String, String, String, Int64, Int64).self)
            return PendingUsage(sequence: sequence, id: id, customerID: customerID, metric: metric, quantity: quantity, timestamp: timestamp)
        }
    }

    public func createReports(_ reports: [PlannedReport], at now: UnixTime) async throws -> [UsageReportRow] {
        try await transaction { connection in
            let identity = try await connection.rows("SELECT identity FROM store_identity WHERE id = 1", logger: logger) {
                try $0.decode(String.self)
            }.first ?? "local"
            var rows: [UsageReportRow] = []
            for report in reports {
                let key = ReportKey.key(for: report, storeIdentity: identity)
                let columns = ReportChannelColumns(report.channel)
                // ON CONFLICT: the same report planned again (here after a crash, or by another instance at the same
                // time) keeps the stored row and moves no record; the row is read back below.
                let inserted = try await connection.rows(
                    """
                    INSERT INTO usage_reports (key, channel, purpose, subscription_id, item_id, action, event_name, customer_id, metric,
                        period_start, period_end, quantity, timestamp, carried, next_attempt_at, created_at)
                    VALUES (\(key), \(columns.channel), \(report.purpose.rawValue), \(columns.subscriptionID), \(columns.itemID), \(columns.action),
                        \(columns.eventName), \(report.customerID), \(report.metric), \(report.period?.start), \(report.period?.end), \(report.quantity),
                        \(report.timestamp), \(report.carried), \(now.milliseconds), \(now.milliseconds))
                    ON CONFLICT (key) DO NOTHING
                    RETURNING id
                    """,
                    logger: logger
                ) { try $0.decode(Int64.self) }
                guard let id = inserted.first else {
                    let stored = try await connection.rows(
                        "SELECT \(unescaped: Self.reportColumns) FROM usage_reports WHERE key = \(key)", logger: logger, UsageReportRow.init(postgres:)
                    )
                    guard let row = stored.first else { throw PostgresStoreError(message: "report \(key) conflicted but is not stored") }
                    rows.append(row)
                    continue
                }
                // Under READ COMMITTED a record another instance assigned meanwhile fails the `report_id IS NULL` test
                // once that instance commits: the count comes up short and this whole transaction rolls back.
                let assigned = try await connection.run(
                    """
                    UPDATE usage_records SET report_id = \(id), carried = \(report.carried)
                    WHERE id = ANY(\(report.recordIDs)) AND report_id IS NULL RETURNING 1
                    """,
                    logger: logger
                )
                guard assigned == report.recordIDs.count else {
                    throw PostgresStoreError(message: "usage records of report \(key) are already reported or unknown")
                }
                rows.append(UsageReportRow(created: report, id: id, key: key, at: now))
            }
            return rows
        }
    }

    public func dueReports(at now: UnixTime, limit: Int) async throws -> [UsageReportRow] {
        // Claimed with SKIP LOCKED: rows another instance is taking right now are passed over, and the rows taken here
        // are left alone by the others until sent, failed, or the claim lapses (the instance died mid-send).
        try await rows(
            """
            UPDATE usage_reports SET claimed_until = \((now + Self.reportClaim).milliseconds)
            WHERE id IN (
                SELECT id FROM usage_reports
                WHERE status = 'pending' AND next_attempt_at <= \(now.milliseconds) AND (claimed_until IS NULL OR claimed_until < \(now.milliseconds))
                ORDER BY id LIMIT \(Int64(limit))
                FOR UPDATE SKIP LOCKED
            )
            RETURNING \(unescaped: Self.reportColumns)
            """,
            UsageReportRow.init(postgres:)
        ).sorted { $0.id < $1.id }
    }

    public func markReportsAttempted(ids: [Int64], at now: UnixTime) async throws {
        guard !ids.isEmpty else { return }
        try await run("UPDATE usage_reports SET first_attempt_at = \(now.milliseconds) WHERE id = ANY(\(ids)) AND first_attempt_at IS NULL")
    }

    public func markReportSent(id: Int64, at now: UnixTime) async throws {
        try await run("UPDATE usage_reports SET status = 'sent', sent_at = \(now.milliseconds), last_error = NULL, claimed_until = NULL WHERE id = \(id)")
    }

    public func markReportFailed(id: Int64, error: String, retryAt: UnixTime?) async throws {
        try await run(
            """
            UPDATE usage_reports SET attempts = attempts + 1, last_error = \(error), claimed_until = NULL,
                status = CASE WHEN \(retryAt?.milliseconds)::bigint IS NULL THEN 'dead' ELSE status END,
                next_attempt_at = coalesce(\(retryAt?.milliseconds)::bigint, next_attempt_at)
            WHERE id = \(id)
            """
        )
    }

    public func abandonReport(id: Int64, reason: String) async throws {
        try await transaction { connection in
            try await connection.run("UPDATE usage_records SET report_id = NULL, carried = false WHERE report_id = \(id)", logger: logger)
            try await connection.run(
                """
                UPDATE usage_reports SET status = 'replanned', attempts = attempts + 1, last_error = \(reason), claimed_until = NULL
                WHERE id = \(id)
                """,
                logger: logger
            )
        }
    }

    public func retryDeadReports(at now: UnixTime) async throws -> Int {
        try await run(
            "UPDATE usage_reports SET status = 'pending', next_attempt_at = \(now.milliseconds), first_attempt_at = NULL WHERE status = 'dead' RETURNING 1"
        )
    }

    public func reports(customerID: String) async throws -> [UsageReportRow] {
        try await rows(
            "SELECT \(unescaped: Self.reportColumns) FROM usage_reports WHERE customer_id = \(customerID) ORDER BY id", UsageReportRow.init(postgres:)
        )
    }

    public func reportCounts() async throws -> [UsageReportRow.Status: Int] {
        var counts = Dictionary(uniqueKeysWithValues: UsageReportRow.Status.allCases.map { ($0, 0) })
        for (status, count) in try await rows("SELECT status, count(*) FROM usage_reports GROUP BY status", { try $0.decode((String, Int).self) }) {
            if let status = UsageReportRow.Status(rawValue: status) { counts[status] = count }
        }
        return counts
    }

    public func legacyReportedTotal(customerID: String, metric: String, itemID: String, from: Int64, to: Int64) async throws -> Int64 {
        try await rows(
            """
            SELECT coalesce(sum(r.quantity), 0)::bigint FROM usage_records r JOIN usage_reports p ON p.id = r.report_id
            WHERE r.customer_id = \(customerID) AND r.metric = \(metric) AND r.timestamp >= \(from) AND r.timestamp < \(to)
                AND p.channel = 'usage_record' AND p.item_id = \(itemID) AND p.status = 'sent'
            """
        ) { try $0.decode(Int64.self) }.first ?? 0
    }

    public func pendingLegacyReports(itemID: String) async throws -> [UsageReportRow] {
        try await rows(
            """
            SELECT \(unescaped: Self.reportColumns) FROM usage_reports
            WHERE status = 'pending' AND channel = 'usage_record' AND item_id = \(itemID) AND purpose = 'usage' ORDER BY id
            """,
            UsageReportRow.init(postgres:)
        )
    }

    /// How long the instance that took a due report holds it: longer than a send with its retries takes.
    static let reportClaim: Duration = .seconds(60)

    static let reportColumns = """
        id, key, channel, purpose, subscription_id, item_id, action, event_name, customer_id, metric, period_start, period_end,
        quantity, timestamp, carried, status, attempts, last_error, next_attempt_at, created_at, sent_at, first_attempt_at
        """
}

extension UsageReportRow {
    init(postgres row: PostgresRow) throws {
        let (
            id, key, channelName, purpose, subscriptionID, itemID, action, eventName, customerID, metric, periodStart, periodEnd,
            quantity, timestamp, carried, status, attempts, lastError, nextAttemptAt, createdAt, sentAt, firstAttemptAt
        ) = try row.decode(
            (
                Int64, String, String, String, String?, String?, String?, String?, String, String, Int64?, Int64?, Int64, Int64, Bool, String, Int,
                String?, Int64, Int64, Int64?, Int64?
            ).self
        )
        let channel = ReportChannelColumns(
            channel: channelName, subscriptionID: subscriptionID, itemID: itemID, action: action, eventName: eventName
        ).plannedChannel
        let period = periodStart.flatMap { start in periodEnd.map { BillingPeriod(start: start, end: $0) } }
        self.init(
            id: id, key: key, channel: channel, purpose: PlannedReport.Purpose(rawValue: purpose) ?? .usage, customerID: customerID, metric: metric,
            period: period, quantity: quantity, timestamp: timestamp, carried: carried, status: Status(rawValue: status) ?? .pending,
            attempts: attempts, lastError: lastError, nextAttemptAt: UnixTime(milliseconds: nextAttemptAt),
            createdAt: UnixTime(milliseconds: createdAt), sentAt: sentAt.map(UnixTime.init(milliseconds:)),
            firstAttemptAt: firstAttemptAt.map(UnixTime.init(milliseconds:))
        )
    }
}
