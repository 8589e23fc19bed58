import BillingStore
import Logging
import MeterBridge

/// Opens the store a configuration names.
enum StoreOpener {
    static func open(_ configuration: MeterBridgeConfiguration, logger: Logger, migrate: Bool = true) async throws -> SQLiteDatabase {
        switch configuration.database {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger, migrate: migrate)
        case .postgres:
            throw ConfigurationError(
                key: "database_url",
                message: "this build stores to SQLite only; set MB_DATABASE_URL=sqlite:PATH (PostgreSQL support is tracked separately)"
            )
        }
    }
}
