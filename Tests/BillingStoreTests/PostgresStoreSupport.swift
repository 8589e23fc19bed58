import Logging
import MeterBridgeTesting
import PostgresNIO
@testable import PostgresStore

extension TestPostgres {
    /// Opens a store on `url` as one meterbridge instance would (migrations run), with a small pool: tests run many at once.
    static func open(_ url: String, migrate: Bool = true, maximumConnections: Int = 4) async throws -> PostgreSQLDatabase {
        try await PostgreSQLDatabase.open(url: url, logger: testLogger, migrate: migrate, maximumConnections: maximumConnections)
    }
}

/// Applies the PostgreSQL migrations before `version` on an empty database: a store of an earlier release, for the
/// migrations after it to run on.
func migratePostgres(_ connection: PostgresConnection, below version: Int) async throws {
    try await connection.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", logger: testLogger)
    for migration in PostgresSchema.all where migration.version < version {
        for statement in migration.statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: testLogger) }
        try await connection.query("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: testLogger)
    }
}

/// An empty database (`TestPostgres.withFreshDatabase`) for `body`, dropped after it; errors of the server in full.
func withFreshPostgresDatabase<R>(_ body: (String) async throws -> R) async throws -> R {
    try await readablePostgresErrors {
        try await TestPostgres.withFreshDatabase(body)
    }
}

/// A PostgreSQL store on a fresh database, closed and dropped after `body`.
func withPostgresStore<R>(_ body: (PostgreSQLDatabase) async throws -> R) async throws -> R {
    try await withFreshPostgresDatabase { url in
        try await withPostgresStore(at: url, body)
    }
}

/// Opens a store on `url` (one instance), runs `body`, and closes it, also when `body` throws.
func withPostgresStore<R>(at url: String, maximumConnections: Int = 4, _ body: (PostgreSQLDatabase) async throws -> R) async throws -> R {
    let database = try await TestPostgres.open(url, maximumConnections: maximumConnections)
    do {
        let result = try await body(database)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

/// Two instances sharing one fresh database, as two `serve` processes do; both closed (and the database dropped) after.
func withTwoPostgresInstances<R>(_ body: (PostgreSQLDatabase, PostgreSQLDatabase) async throws -> R) async throws -> R {
    try await withFreshPostgresDatabase { url in
        try await withPostgresStore(at: url, maximumConnections: 8) { first in
            try await withPostgresStore(at: url, maximumConnections: 8) { second in
                try await body(first, second)
            }
        }
    }
}

/// Runs `body`; a `PSQLError` it throws comes out with what the server said (its own description hides that, to keep
/// secrets out of logs), so a failing test says why.
func readablePostgresErrors<R>(_ body: () async throws -> R) async throws -> R {
    do {
        return try await body()
    } catch let error as PSQLError {
        throw ReadablePostgresError(description: String(reflecting: error))
    }
}

/// A `PSQLError`, described in full.
struct ReadablePostgresError: Error, CustomStringConvertible {
    var description: String
}
