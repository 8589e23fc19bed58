import ArgumentParser
import BillingStore
import MeterBridge

/// `meterbridge migrate`: create or upgrade the store's schema.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the store's schema (serve also does this for SQLite)."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let logger = global.makeLogger()
        let database = try await StoreOpener.open(configuration, logger: logger, migrate: false)
        let applied = try await database.migrate()
        let version = try await database.schemaVersion()
        await database.close()
        for migration in applied {
            print("applied \(migration.version) \(migration.name)")
        }
        print("\(configuration.database): schema version \(version)\(applied.isEmpty ? " (already up to date)" : "")")
    }
}
