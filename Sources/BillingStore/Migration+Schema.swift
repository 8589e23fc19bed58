extension Migration {
    /// The schema of the SQLite store, in version order.
    public static let all: [Migration] = [inbox, billingState]

    /// Version 1: the webhook inbox (SPEC §5 "Inbox") and the heartbeat row used to prove the store can commit.
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
}
