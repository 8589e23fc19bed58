import BillingStore
import Logging
import ServiceLifecycle

/// Keeps the SQLite store open while the service group runs and closes it last, after every commit has drained.
public struct StoreService: Service {
    let database: SQLiteDatabase
    let logger: Logger

    public init(database: SQLiteDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func run() async throws {
        // Listed first in the ServiceGroup, so it is shut down last: the HTTP server has stopped by then.
        try? await gracefulShutdown()
        await database.close()
        logger.info("Store closed", metadata: ["store.path": "\(database.path)"])
    }
}
