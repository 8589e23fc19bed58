import BillingCore
import Foundation
import Logging

/// One versioned step of the schema. Versions only grow; a released migration is never edited, only followed by another.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    /// One or more `;`-separated statements.
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension SQLiteDatabase {
    /// Applies every migration of `configuration.migrations` not yet recorded in `schema_migrations`, in version order,
    /// and returns those applied (empty when the schema is current).
    ///
    /// All of them run in one savepoint of one transaction: if one fails, none is applied. Throws
    /// `SQLiteError.Code.schemaTooNew` when the database was migrated by a newer build.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        let migrations = configuration.migrations.sorted { $0.version < $1.version }
        precondition(Set(migrations.map(\.version)).count == migrations.count, "Duplicate migration versions")
        let path = self.path
        let applied = try await write { connection in
            try Self.apply(migrations, on: connection, path: path)
        }
        for migration in applied {
            logger.info(
                "Migration applied",
                metadata: ["sqlite.path": "\(path)", "migration.version": "\(migration.version)", "migration.name": "\(migration.name)"]
            )
        }
        return applied
    }

    /// The highest migration version recorded in the database; 0 for a new database.
    public func schemaVersion() async throws -> Int {
        try await read { connection in
            let exists = try connection.query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") {
                $0.int(at: 0)
            }
            guard exists.first == 1 else { return 0 }
            return try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations") { $0.int(at: 0) }.first ?? 0
        }
    }

    private static func apply(_ migrations: [Migration], on connection: SQLiteConnection, path: String) throws -> [Migration] {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """
        )
        let recorded = Set(try connection.query("SELECT version FROM schema_migrations") { $0.int(at: 0) })
        let latest = migrations.last?.version ?? 0
        if let newest = recorded.max(), newest > latest {
            throw SQLiteError.schemaTooNew(version: newest, latest: latest, path: path)
        }
        var applied: [Migration] = []
        for migration in migrations where !recorded.contains(migration.version) {
            do {
                try connection.execute(migration.sql)
            } catch let error as SQLiteError {
                throw SQLiteError(
                    code: .migrationFailed,
                    resultCode: error.resultCode,
                    message: "Migration \(migration.version) (\(migration.name)) failed, nothing was applied: \(error.message)",
                    sql: error.sql
                )
            }
            let appliedAt = UnixTime(sinceEpoch: .seconds(Date().timeIntervalSince1970)).milliseconds
            try connection.run(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                [.integer(Int64(migration.version)), .text(migration.name), .integer(appliedAt)]
            )
            applied.append(migration)
        }
        return applied
    }
}
