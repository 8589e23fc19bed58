extension Migration {
    /// Version 11: report rows for keys that follow the report's content (`ReportKey`), the `replanned` status and
    /// `first_attempt_at`.
    ///
    /// - `replanned`: a report whose usage went back to the ledger to be planned again (its period ended before Stripe
    ///   took it, or Stripe moved the item's price to a meter while it was in flight). Terminal, unlike `dead`: its usage
    ///   is delivered by another report, so `flush --retry-dead` must never send it. Rows of earlier releases in that
    ///   situation were `dead` usage reports with no record left; they become `replanned`.
    /// - `first_attempt_at`: when the reporter first tried to send the report (unix milliseconds). Stripe keeps
    ///   idempotency keys and meter identifiers for 24 hours: a report older than that is checked against Stripe's
    ///   summaries before it is sent again. Rows still pending count from their creation, the earliest they can have
    ///   been tried.
    ///
    /// SQLite cannot change a CHECK constraint in place, so the table is rebuilt with the same rows, ids and keys.
    static let reportKeys = Migration(
        version: 11,
        name: "report_keys",
        sql: """
            CREATE TABLE usage_reports_v11 (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                -- Idempotency-Key of a usage record, identifier of a meter event: a digest of the report's content with the
                -- store's identity (ReportKey), the same on every retry and for the same report planned again.
                key TEXT NOT NULL UNIQUE,
                channel TEXT NOT NULL CHECK (channel IN ('usage_record', 'meter_event')),
                purpose TEXT NOT NULL CHECK (purpose IN ('usage', 'shadow', 'rereport')),
                subscription_id TEXT,
                item_id TEXT,
                action TEXT,
                event_name TEXT,
                customer_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                period_start INTEGER,
                period_end INTEGER,
                quantity INTEGER NOT NULL,
                timestamp INTEGER NOT NULL,
                carried INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead', 'replanned')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                next_attempt_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                sent_at INTEGER,
                first_attempt_at INTEGER
            );
            INSERT INTO usage_reports_v11 (id, key, channel, purpose, subscription_id, item_id, action, event_name, customer_id, metric,
                period_start, period_end, quantity, timestamp, carried, status, attempts, last_error, next_attempt_at, created_at, sent_at,
                first_attempt_at)
            SELECT id, key, channel, purpose, subscription_id, item_id, action, event_name, customer_id, metric, period_start, period_end,
                quantity, timestamp, carried,
                CASE WHEN status = 'dead' AND purpose = 'usage'
                    AND NOT EXISTS (SELECT 1 FROM usage_records r WHERE r.report_id = usage_reports.id) THEN 'replanned' ELSE status END,
                attempts, last_error, next_attempt_at, created_at, sent_at, CASE WHEN status = 'pending' THEN created_at END
            FROM usage_reports;
            DROP TABLE usage_reports;
            ALTER TABLE usage_reports_v11 RENAME TO usage_reports;
            CREATE INDEX usage_reports_due ON usage_reports (next_attempt_at, id) WHERE status = 'pending';
            CREATE INDEX usage_reports_customer ON usage_reports (customer_id, metric, period_start);
            """
    )
}
