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
            do {
                return try await PostgreSQLDatabase.open(url: url, logger: logger, migrate: migrate)
            } catch let error as PostgresStoreError {
                throw ConfigurationError(key: "database_url", message: error.message)
            }
        }
    }

    /// The SQLite file of a configuration, for the commands that work on the file itself (`replay`).
    static func sqlitePath(_ configuration: MeterBridgeConfiguration, command: String) throws -> String {
        switch configuration.database {
        case .sqlite(let path):
            return path
        case .postgres:
            throw ConfigurationError(
                key: "database_url",
                message: "`\(command)` works on the embedded SQLite store; on PostgreSQL, redeliver events from the Stripe Dashboard or `stripe events resend`, which every instance dedupes"
            )
        }
    }
}
