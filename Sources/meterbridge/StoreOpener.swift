import BillingStore
import Logging
import MeterBridge
import PostgresStore

/// The store a command works on: both kinds serve; replay and the SQLite maintenance commands need the file.
typealias OpenedStore = any MeterBridgeStore & ClosableStore

/// Opens the store a configuration names.
enum StoreOpener {
    static func open(_ configuration: MeterBridgeConfiguration, logger: Logger, migrate: Bool = true) async throws -> OpenedStore {
        switch configuration.database {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger, migrate: migrate)
        case .postgres(let url):
            return try await openPostgres(url, logger: logger, migrate: migrate)
        }
    }

    /// A PostgreSQL store; a URL or server it cannot use is a configuration error naming `database_url`.
    private static func openPostgres(_ url: String, logger: Logger, migrate: Bool = true) async throws -> PostgreSQLDatabase {
        do {
            return try await PostgreSQLDatabase.open(url: url, logger: logger, migrate: migrate)
        } catch let error as PostgresStoreError {
            throw ConfigurationError(key: "database_url", message: error.message)
        }
    }

    /// The store as `replay` writes to it (migrated, like `serve`).
    static func openForReplay(_ configuration: MeterBridgeConfiguration, logger: Logger) async throws -> any ReplayStore & ClosableStore {
        switch configuration.database {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger)
        case .postgres(let url):
            return try await openPostgres(url, logger: logger)
        }
    }

    /// The store for `replay --dry-run`, which writes nothing: SQLite read-only (not even a migration or a
    /// checkpoint), PostgreSQL without migrating.
    static func openForReading(_ configuration: MeterBridgeConfiguration, logger: Logger) async throws -> any StoredEventReader & ClosableStore {
        switch configuration.database {
        case .sqlite(let path):
            return try await SQLiteReadOnlyDatabase.open(path: path, logger: logger)
        case .postgres(let url):
            return try await openPostgres(url, logger: logger, migrate: false)
        }
    }

    /// The SQLite file of a configuration, for what works on the file itself (`replay --rebuild`).
    static func sqlitePath(_ configuration: MeterBridgeConfiguration, command: String) throws -> String {
        switch configuration.database {
        case .sqlite(let path):
            return path
        case .postgres:
            throw ConfigurationError(key: "database_url", message: "`\(command)` needs the SQLite store: \(RebuildUnsupported().description)")
        }
    }
}
