import BillingStore
import Logging
import ServiceLifecycle

/// Keeps the store open while the service group runs and closes it last, after every commit has drained.
public struct StoreService: Service {
    let store: any ClosableStore
    let logger: Logger

    public init(store: any ClosableStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        // Listed first in the ServiceGroup, so it is shut down last: the HTTP server has stopped by then.
        try? await gracefulShutdown()
        await store.close()
        logger.info("Store closed", metadata: ["store": "\(store.location)"])
    }
}
