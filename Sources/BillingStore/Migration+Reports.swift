extension Migration {
    /// Version 4: usage reports, one row per Stripe call, written before the call is made.
    static let usageReports = Migration(
        version: 4,
        name: "usage_reports",
        sql: """
            -- A random identity of this store, part of every idempotency key and meter identifier: a store created
            -- anew (lost disk, new deployment) starts counting reports from 1 again, and its keys must not collide
            -- with the old store's, which Stripe remembers for 24 hours and would answer as duplicates.
            CREATE TABLE store_identity (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                identity TEXT NOT NULL
            );
            INSERT INTO store_identity (id, identity) VALUES (1, lower(hex(randomblob(6))));

            CREATE TABLE usage_reports (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                -- Idempotency-Key of a usage record, identifier of a meter event: the same on every retry.
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
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                next_attempt_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                sent_at INTEGER
            );
            CREATE INDEX usage_reports_due ON usage_reports (next_attempt_at, id) WHERE status = 'pending';
            CREATE INDEX usage_reports_customer ON usage_reports (customer_id, metric, period_start);
            """
    )
}

extension Migration {
    /// Version 5: fewer inbox indexes. Every index costs page writes on each stored webhook, and at thousands of
    /// deliveries a second the ingest path is bound by how many pages each commit writes (a random key such as the
    /// subscription id dirties a different index page for nearly every event). The processor reads its queue through
    /// `events_unprocessed`, listings by type, time or subscription go through `events_created`, and the oldest
    /// unprocessed event is found in the partial index too, so these four only cost writes.
    static let leanerInbox = Migration(
        version: 5,
        name: "leaner_inbox",
        sql: """
            DROP INDEX IF EXISTS events_status_next_attempt;
            DROP INDEX IF EXISTS events_type;
            DROP INDEX IF EXISTS events_received_at;
            DROP INDEX IF EXISTS events_subscription_created;
            """
    )
}

extension Migration {
    /// Version 6: the usage ledger drops `usage_records_customer`. Ordered by customer and metric, it took an insert at
    /// up to 2,000 places per request of 10,000 records spread over 1,000 customers, which cost usage ingest 40 % of its
    /// rate (BENCHMARKS.md "Usage ingest"). A customer's records are still found without a scan: the pending ones
    /// through `usage_records_unreported`, the reported ones through their reports (`usage_reports_customer`, then
    /// `usage_records_report`). Every record is in exactly one of the two.
    static let leanerLedger = Migration(
        version: 6,
        name: "leaner_ledger",
        sql: "DROP INDEX IF EXISTS usage_records_customer;"
    )
}

extension Migration {
    /// Version 7: pending usage is indexed in arrival order instead of by customer. `usage_records_unreported`
    /// (customer, metric, timestamp) took an insert at up to 2,000 places per request of 10,000 records over 1,000
    /// customers and held usage ingest to about 115,000 records/s; `usage_records_pending` only ever grows at its end
    /// (BENCHMARKS.md "Usage ingest"). Its one column is NULL in every entry, so the entries sort by rowid: the index
    /// is the pending records in the order they were stored, and the reporter groups them by customer in memory.
    static let pendingInArrivalOrder = Migration(
        version: 7,
        name: "pending_in_arrival_order",
        sql: """
            DROP INDEX IF EXISTS usage_records_unreported;
            CREATE INDEX usage_records_pending ON usage_records (report_id) WHERE report_id IS NULL;
            """
    )
}

extension Migration {
    /// Version 8: the processor's queue of events is indexed by when each became due instead of by `created`.
    /// `events_unprocessed` (created, id) took each stored webhook at a random place whenever deliveries arrive out of
    /// `created` order (retries, concurrent deliveries), one more index page per event in the WAL and again at the
    /// checkpoint. A new event is due when received, so `events_due` only grows at its end; a failed event moves to its
    /// retry time. The processor takes the events due first and orders each batch by `created` itself.
    static let unprocessedInDueOrder = Migration(
        version: 8,
        name: "unprocessed_in_due_order",
        sql: """
            DROP INDEX IF EXISTS events_unprocessed;
            CREATE INDEX events_due ON events (next_attempt_at) WHERE status IN ('pending', 'failed');
            """
    )
}

extension Migration {
    /// Version 9: `events_created` on `created` alone. On (created, id), events of one second went in at random places
    /// (ids are random), so at thousands of deliveries a second each one dirtied its own index page, written again at
    /// every checkpoint: the disk's random writes bounded ingest (BENCHMARKS.md "Webhook ingest"). On `created` alone the
    /// entries of a second sort by rowid, so a new event joins the end of its second and a burst shares a few pages.
    /// Readers still order by (created, id): SQLite sorts the ties of each second.
    static let createdInArrivalOrder = Migration(
        version: 9,
        name: "created_in_arrival_order",
        sql: """
            DROP INDEX IF EXISTS events_created;
            CREATE INDEX events_created ON events (created);
            """
    )
}
