import Foundation
import Logging
import PostgresNIO

/// One versioned step of the PostgreSQL schema.
struct PostgresMigration: Sendable {
    var version: Int
    var name: String
    var sql: String
}

extension PostgresMigration {
    /// The statements of `sql` one by one: the extended query protocol takes one statement at a time. Statements end
    /// with `;` at the end of a line; comment lines are dropped.
    var statements: [String] {
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.trimmingPrefix(while: \.isWhitespace).hasPrefix("--") }
        return lines.joined(separator: "\n").components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
    }
}

/// Creates and upgrades the PostgreSQL schema: `schema_migrations` records each applied version.
enum PostgresMigrator {
    /// Any number chosen once: the advisory lock instances starting together take to migrate one after the other.
    static let lockKey: Int64 = 0x6D62_6D69_6772  // "mbmigr"

    /// Applies the migrations not applied yet, all in one transaction (PostgreSQL's DDL is transactional, so a failed
    /// migration leaves the schema as it was).
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.inTransaction(logger: logger) {
            var applied: [String] = []
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            let done = Set(try await connection.rows("SELECT version FROM schema_migrations", logger: logger) { try $0.decode(Int.self) })
            for migration in PostgresSchema.all where !done.contains(migration.version) {
                do {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                } catch {
                    throw PostgresStoreError(message: "migration \(migration.version) (\(migration.name)) failed: \(PostgresStoreError.reason(error))")
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger
                )
                logger.info("Store migrated", metadata: ["store.migration": "\(migration.version) \(migration.name)"])
                applied.append("\(migration.version) \(migration.name)")
            }
            return applied
        }
    }

    /// Throws unless the schema is exactly the one this build knows: older means `meterbridge migrate` is due, newer
    /// means this build is older than the database (a rollback after an upgrade).
    @discardableResult
    static func checkCurrent(_ connection: PostgresConnection, logger: Logger, location: String) async throws -> Int {
        let latest = PostgresSchema.all.map(\.version).max() ?? 0
        let applied: Int
        do {
            applied = try await connection.rows("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger) {
                try $0.decode(Int.self)
            }.first ?? 0
        } catch {
            throw PostgresStoreError(message: "the database \(location) has no meterbridge schema: run `meterbridge migrate` first")
        }
        if applied < latest {
            throw PostgresStoreError(message: "the database \(location) is at schema version \(applied), this build needs \(latest): run `meterbridge migrate`")
        }
        if applied > latest {
            throw PostgresStoreError(
                message: "the database \(location) is at schema version \(applied), newer than this build knows (\(latest)): run the newer meterbridge"
            )
        }
        return applied
    }
}
