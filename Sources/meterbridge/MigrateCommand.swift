import ArgumentParser
import BillingStore
import MeterBridge
import PostgresStore

/// `meterbridge migrate`: create or upgrade the store's schema.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the store's schema (serve also does this, on SQLite and PostgreSQL)."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let logger = global.makeLogger()
        let applied: [String]
        let version: Int
        switch configuration.database {
        case .sqlite(let path):
            let database = try await SQLiteDatabase.open(path: path, logger: logger, migrate: false)
            applied = try await database.migrate().map { "\($0.version) \($0.name)" }
            version = try await database.schemaVersion()
            await database.close()
        case .postgres:
            // Opening migrates, under an advisory lock that instances starting at the same time take in turn.
            let database = try await StoreOpener.open(configuration, logger: logger, migrate: true)
            applied = (database as? PostgreSQLDatabase)?.appliedMigrations ?? []
            version = (database as? PostgreSQLDatabase)?.schemaVersion ?? 0
            await database.close()
        }
        for migration in applied {
            print("applied \(migration)")
        }
        print("\(configuration.database): schema version \(version)\(applied.isEmpty ? " (already up to date)" : "")")
    }
}
