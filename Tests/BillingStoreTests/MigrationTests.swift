import BillingStore
import MeterBridgeTesting
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test func migratesAnEmptyDatabaseAndIsIdempotent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger, migrate: false)
        #expect(try await database.schemaVersion() == 0)
        let applied = try await database.migrate()
        #expect(applied.map(\.version) == Migration.all.map(\.version))
        #expect(try await database.schemaVersion() == Migration.all.last?.version)
        #expect(try await database.migrate().isEmpty)

        let objects = try await database.read { connection in
            try connection.query("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'") {
                $0.string(at: 0)
            }
        }
        #expect(
            Set(objects).isSuperset(of: [
                "schema_migrations", "events", "store_heartbeat", "events_created", "events_due",
                "subscriptions", "timers", "actions", "usage_records", "usage_reports", "store_identity",
            ])
        )
        // Version 5 dropped the inbox indexes that only cost writes on the ingest path.
        #expect(Set(objects).isDisjoint(with: ["events_status_next_attempt", "events_type", "events_received_at", "events_subscription_created"]))
        // Version 6 dropped the ledger's index by customer; version 7 replaced the pending one by customer with one in
        // arrival order. Ingest then only appends to its indexes.
        #expect(Set(objects).isDisjoint(with: ["usage_records_customer", "usage_records_unreported"]))
        #expect(objects.contains("usage_records_pending"))
        // Version 8 replaced the processor's queue in `created` order with one in due order, which a new event joins at
        // its end.
        #expect(!objects.contains("events_unprocessed"))
        // Version 9 keyed `events_created` on `created` alone, so a second's events join it at the end of their second.
        let createdIndexColumns = try await database.read { connection in
            try connection.query("SELECT name FROM pragma_index_info('events_created') ORDER BY seqno") { $0.string(at: 0) }
        }
        #expect(createdIndexColumns == ["created"])
        let journalMode = try await database.read { connection in
            try connection.query("PRAGMA journal_mode") { $0.string(at: 0) }
        }
        #expect(journalMode == ["wal"])
        await database.close()

        // Opening again with migrate: true applies nothing and keeps one row per version.
        let reopened = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger, migrate: true)
        #expect(try await reopened.migrate().isEmpty)
        let versions = try await reopened.read { connection in
            try connection.query("SELECT version FROM schema_migrations ORDER BY version") { $0.int(at: 0) }
        }
        #expect(versions == Migration.all.map(\.version))
        await reopened.close()
    }

    @Test func refusesADatabaseMigratedByANewerBuild() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger)
        try await database.write { connection in
            try connection.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from the future', 0)")
        }
        let tooNew = await #expect(throws: SQLiteError.self) { try await database.migrate() }
        #expect(tooNew?.code == .schemaTooNew)
        await database.close()

        for migrate in [true, false] {
            let error = await #expect(throws: SQLiteError.self) {
                _ = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger, migrate: migrate)
            }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("9999") == true)
        }
    }

    @Test func aFailingMigrationAppliesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let good = Migration(version: 1, name: "good", sql: "CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER);")
        let bad = Migration(version: 2, name: "bad", sql: "CREATE TABLE c (z INTEGER); CREATE TABLE a (x INTEGER);")

        let error = await #expect(throws: SQLiteError.self) {
            _ = try await SQLiteDatabase.open(
                path: directory.databasePath,
                configuration: SQLiteDatabase.Configuration(migrations: [good, bad]),
                logger: testLogger
            )
        }
        #expect(error?.code == .migrationFailed)
        #expect(error?.message.contains("Migration 2 (bad)") == true)

        // Nothing of either migration is left behind, so a fixed build starts from a clean slate.
        let database = try await SQLiteDatabase.open(
            path: directory.databasePath,
            configuration: SQLiteDatabase.Configuration(migrations: [good]),
            logger: testLogger,
            migrate: false
        )
        let tables = try await database.read { connection in
            try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.string(at: 0) }
        }
        #expect(!tables.contains("a") && !tables.contains("c"))
        #expect(try await database.migrate().map(\.version) == [1])
        await database.close()
    }
}
