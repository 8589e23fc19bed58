import BillingStore

/// The PostgreSQL schema, in version order. The same tables as the SQLite store (see `Migration.all`) with what several
/// instances need: `leases`, and `claimed_until` on the report rows an instance takes to send.
///
/// Identifiers are `COLLATE "C"`: byte order, as SQLite compares, whatever locale the database was created with — the
/// keyset paging of pending usage groups and the `ORDER BY id` listings then agree between the two stores.
enum PostgresSchema {
    static let all: [PostgresMigration] = [initial, pendingInArrivalOrder, unprocessedInDueOrder, typedOutbox, reportKeys]

    static let initial = PostgresMigration(
        version: 1,
        name: "initial",
        sql: """
            CREATE TABLE events (
                id text COLLATE "C" PRIMARY KEY,
                type text NOT NULL,
                api_version text,
                created bigint NOT NULL,
                livemode boolean NOT NULL,
                account text,
                object_type text,
                object_id text,
                subscription_id text COLLATE "C",
                customer_id text COLLATE "C",
                signature text NOT NULL,
                received_at bigint NOT NULL,
                status text NOT NULL CHECK (status IN ('pending', 'processed', 'ignored', 'failed', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                last_error text,
                next_attempt_at bigint,
                processed_at bigint,
                payload bytea NOT NULL
            );
            CREATE INDEX events_created ON events (created, id);
            -- The processor's queue: events still to process, in Stripe's order.
            CREATE INDEX events_unprocessed ON events (created, id) WHERE status IN ('pending', 'failed');

            CREATE TABLE store_heartbeat (id integer PRIMARY KEY CHECK (id = 1), beats bigint NOT NULL);

            CREATE TABLE subscriptions (
                id text COLLATE "C" PRIMARY KEY,
                customer_id text COLLATE "C",
                updated_at bigint NOT NULL,
                state bytea NOT NULL
            );
            CREATE INDEX subscriptions_customer ON subscriptions (customer_id);

            CREATE TABLE timers (
                id text COLLATE "C" PRIMARY KEY,
                subscription_id text COLLATE "C" NOT NULL,
                kind text NOT NULL,
                fire_at bigint NOT NULL
            );
            CREATE INDEX timers_due ON timers (fire_at);
            CREATE INDEX timers_subscription ON timers (subscription_id);

            CREATE TABLE actions (
                seq bigserial PRIMARY KEY,
                subscription_id text COLLATE "C" NOT NULL,
                event_id text,
                kind text NOT NULL,
                created_at bigint NOT NULL,
                status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                last_error text,
                completed_at bigint,
                payload bytea NOT NULL
            );
            CREATE INDEX actions_pending ON actions (seq) WHERE status = 'pending';
            CREATE INDEX actions_subscription ON actions (subscription_id, seq);

            CREATE TABLE usage_records (
                id text COLLATE "C" PRIMARY KEY,
                customer_id text COLLATE "C" NOT NULL,
                metric text COLLATE "C" NOT NULL,
                quantity bigint NOT NULL CHECK (quantity >= 0),
                timestamp bigint NOT NULL,
                received_at bigint NOT NULL,
                report_id bigint,
                carried boolean NOT NULL DEFAULT false,
                -- Storage order (SQLite's rowid): "the latest of equal timestamps is the one stored last".
                seq bigserial NOT NULL
            );
            CREATE INDEX usage_records_unreported ON usage_records (customer_id, metric, timestamp, id) INCLUDE (quantity)
                WHERE report_id IS NULL;
            CREATE INDEX usage_records_customer ON usage_records (customer_id, metric, timestamp, seq);
            CREATE INDEX usage_records_report ON usage_records (report_id) WHERE report_id IS NOT NULL;

            -- Part of every idempotency key, as in the SQLite store: a new database never repeats an old one's keys.
            CREATE TABLE store_identity (id integer PRIMARY KEY CHECK (id = 1), identity text NOT NULL);
            INSERT INTO store_identity (id, identity) VALUES (1, substr(md5(random()::text || clock_timestamp()::text), 1, 12));

            CREATE TABLE usage_reports (
                id bigserial PRIMARY KEY,
                key text NOT NULL UNIQUE,
                channel text NOT NULL CHECK (channel IN ('usage_record', 'meter_event')),
                purpose text NOT NULL CHECK (purpose IN ('usage', 'shadow', 'rereport')),
                subscription_id text,
                item_id text,
                action text,
                event_name text,
                customer_id text COLLATE "C" NOT NULL,
                metric text COLLATE "C" NOT NULL,
                period_start bigint,
                period_end bigint,
                quantity bigint NOT NULL,
                timestamp bigint NOT NULL,
                carried boolean NOT NULL DEFAULT false,
                status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                last_error text,
                next_attempt_at bigint NOT NULL,
                created_at bigint NOT NULL,
                sent_at bigint,
                -- Unix milliseconds until which the instance sending this report holds it.
                claimed_until bigint
            );
            CREATE INDEX usage_reports_due ON usage_reports (next_attempt_at, id) WHERE status = 'pending';
            CREATE INDEX usage_reports_customer ON usage_reports (customer_id, metric, period_start);

            -- Who works on what: `sub:<id>` while an instance applies a subscription's events or timers, `reporter` while
            -- one runs a reporting round. A lease expires, so a crashed instance's work is taken over.
            CREATE TABLE leases (
                name text COLLATE "C" PRIMARY KEY,
                owner text NOT NULL,
                expires_at bigint NOT NULL
            );
            """
    )

    /// Version 2: pending usage indexed in arrival order, as SQLite's migration 7: the reporter pages through it by
    /// `seq`, and ingest appends to it instead of inserting by customer (`usage_records_customer` serves the reads
    /// by customer).
    static let pendingInArrivalOrder = PostgresMigration(
        version: 2,
        name: "pending_in_arrival_order",
        sql: """
            DROP INDEX IF EXISTS usage_records_unreported;
            CREATE INDEX usage_records_pending_seq ON usage_records (seq) WHERE report_id IS NULL;
            """
    )

    /// Version 3: the processor's queue in due order, as SQLite's migration 8 (`Migration.unprocessedInDueOrder`): a new
    /// event is due when received, so each insert lands at the end of `events_due` rather than at its `created`.
    static let unprocessedInDueOrder = PostgresMigration(
        version: 3,
        name: "unprocessed_in_due_order",
        sql: """
            DROP INDEX IF EXISTS events_unprocessed;
            CREATE INDEX events_due ON events (next_attempt_at, id) WHERE status IN ('pending', 'failed');
            """
    )

    /// Version 4: the outbox stores `BillingAction` itself, as SQLite's migration 10 (`Migration.typedOutbox`): every row
    /// is rewritten from layout 1 to layout 2 and `payload_version` says which layout a row has.
    static let typedOutbox = PostgresMigration(
        version: 4,
        name: "typed_outbox",
        sql: """
            ALTER TABLE actions ADD COLUMN payload_version integer NOT NULL DEFAULT 1;
            UPDATE actions SET payload = convert_to((\(LegacyOutboxPayload.rewrite(.postgres)))::text, 'UTF8'), payload_version = 2
            WHERE payload_version = 1;
            """
    )

    /// Version 5: report keys that follow the report's content, the `replanned` status and `first_attempt_at`, as SQLite's
    /// migration 11 (`Migration.reportKeys`): dead usage reports whose records went back to the ledger become `replanned`.
    static let reportKeys = PostgresMigration(
        version: 5,
        name: "report_keys",
        sql: """
            ALTER TABLE usage_reports DROP CONSTRAINT IF EXISTS usage_reports_status_check;
            ALTER TABLE usage_reports ADD CONSTRAINT usage_reports_status_check CHECK (status IN ('pending', 'sent', 'dead', 'replanned'));
            ALTER TABLE usage_reports ADD COLUMN first_attempt_at bigint;
            UPDATE usage_reports SET status = 'replanned' WHERE status = 'dead' AND purpose = 'usage'
                AND NOT EXISTS (SELECT 1 FROM usage_records r WHERE r.report_id = usage_reports.id);
            UPDATE usage_reports SET first_attempt_at = created_at WHERE status = 'pending';
            """
    )
}
