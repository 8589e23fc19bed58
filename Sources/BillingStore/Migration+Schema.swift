extension Migration {
    /// The schema of the SQLite store, in version order.
    public static let all: [Migration] = [
        inbox, billingState, usage, usageReports, leanerInbox, leanerLedger, pendingInArrivalOrder, unprocessedInDueOrder,
        createdInArrivalOrder, typedOutbox, reportKeys,
    ]

    /// Version 1: the webhook inbox (docs/billing-rules.md, the inbox) and the heartbeat row used to prove the store can commit.
    static let inbox = Migration(
        version: 1,
        name: "inbox",
        sql: """
            CREATE TABLE events (
                id TEXT PRIMARY KEY NOT NULL,
                type TEXT NOT NULL,
                api_version TEXT,
                created INTEGER NOT NULL,
                livemode INTEGER NOT NULL,
                account TEXT,
                object_type TEXT,
                object_id TEXT,
                subscription_id TEXT,
                customer_id TEXT,
                signature TEXT NOT NULL,
                received_at INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'ignored', 'failed', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                next_attempt_at INTEGER,
                processed_at INTEGER,
                -- Last on purpose: SQLite stores a row's columns in order and spills a large row into overflow pages,
                -- so columns after a 4 KB payload would cost overflow reads for every status lookup and index check.
                payload BLOB NOT NULL
            );
            CREATE INDEX events_status_next_attempt ON events (status, next_attempt_at);
            CREATE INDEX events_subscription_created ON events (subscription_id, created, id);
            CREATE INDEX events_type ON events (type);
            CREATE INDEX events_received_at ON events (received_at);
            -- Stripe's order: listing, `replay --since/--until` and paging through every event (`replay --rebuild`)
            -- read it instead of sorting the table. `created` grows with time, so inserts append to it.
            CREATE INDEX events_created ON events (created, id);
            -- The work queue of the processor: only events still to process, in Stripe's order. It stays small however
            -- many events are stored, and lets pendingEvents read them in order without sorting the backlog.
            CREATE INDEX events_unprocessed ON events (created, id) WHERE status IN ('pending', 'failed');

            CREATE TABLE store_heartbeat (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                beats INTEGER NOT NULL
            );
            """
    )

    /// Version 2: derived billing state per subscription, its timers, and the outbox of actions to carry out.
    static let billingState = Migration(
        version: 2,
        name: "billing_state",
        sql: """
            -- The state machine's state, one row per subscription, rewritten with every event it applies.
            CREATE TABLE subscriptions (
                id TEXT PRIMARY KEY NOT NULL,
                customer_id TEXT,
                updated_at INTEGER NOT NULL,
                state BLOB NOT NULL
            );
            CREATE INDEX subscriptions_customer ON subscriptions (customer_id);

            -- Timers of every subscription, derived from its state on each commit; the scheduler reads the due ones.
            CREATE TABLE timers (
                id TEXT PRIMARY KEY NOT NULL,
                subscription_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                fire_at INTEGER NOT NULL
            );
            CREATE INDEX timers_due ON timers (fire_at);
            CREATE INDEX timers_subscription ON timers (subscription_id);

            -- Side effects decided with a state change and committed with it; carried out after the commit.
            CREATE TABLE actions (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                subscription_id TEXT NOT NULL,
                event_id TEXT,
                kind TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                completed_at INTEGER,
                payload BLOB NOT NULL
            );
            CREATE INDEX actions_pending ON actions (seq) WHERE status = 'pending';
            CREATE INDEX actions_subscription ON actions (subscription_id, seq);
            """
    )

    /// Version 3: the usage ledger (`POST /v1/usage`, docs/http-api.md): every usage record the product sent, once per id.
    static let usage = Migration(
        version: 3,
        name: "usage",
        sql: """
            -- One row per usage record. `id` is the client's idempotency id, or `mb_auto_…` derived from the record's
            -- content when it sent none (see UsageRecordID). The ingest path only inserts; the reporter only sets
            -- `report_id` and `carried` (see UsageLedgerStore for the contract).
            CREATE TABLE usage_records (
                id TEXT PRIMARY KEY NOT NULL,
                customer_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity >= 0),
                -- Usage time, unix seconds.
                timestamp INTEGER NOT NULL,
                -- Receive time, unix milliseconds.
                received_at INTEGER NOT NULL,
                -- NULL while pending; the id of the report that delivers it once the reporter put it in one (back to
                -- NULL only if the reporter abandons that report before Stripe accepted it).
                report_id INTEGER,
                -- Non-zero once the reporter carried the record into a later period than its timestamp's.
                carried INTEGER NOT NULL DEFAULT 0
            );
            -- The reporter's work queue: unreported usage only, so it stays small however much usage is stored.
            -- `quantity` trails the key so sums and latest values are read from the index alone (covering).
            CREATE INDEX usage_records_unreported ON usage_records (customer_id, metric, timestamp, quantity) WHERE report_id IS NULL;
            -- Per-customer totals (`GET /v1/customers/{id}/usage`) and period queries over reported usage too.
            CREATE INDEX usage_records_customer ON usage_records (customer_id, metric, timestamp);
            -- Which records a report covers. Partial, so inserts (report_id NULL) never touch it.
            CREATE INDEX usage_records_report ON usage_records (report_id) WHERE report_id IS NOT NULL;
            """
    )
}
