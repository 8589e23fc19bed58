import BillingCore
import BillingStore
import Foundation
import Logging
import MeterBridge
import StripeDouble
import StripeEventBuilders
import TestPrimitives

/// meterbridge in this process — its real HTTP server, processor, scheduler, reporter and Stripe client — on a
/// temporary SQLite file, reporting over loopback HTTP to the Stripe API double, both on one manual clock.
struct DemoWorld: Sendable {
    static let webhookSecret = "whsec_demo_4d6574657262726964676520646f"
    static let adminToken = "demo-admin-token"
    static let apiKey = "sk_test_meterbridge_demo"

    let story: DemoStory
    let directory: TemporaryDirectory
    let database: SQLiteDatabase
    let runtime: MeterBridgeRuntime
    /// meterbridge's clock; `stripeClock` is Stripe's, and the two always move together.
    let clock: ManualClock
    let stripe: StripeAPIDouble
    let stripeClock: ManualClock
    let server: LoopbackServer
    let logger: Logger

    /// meterbridge's base URL on loopback.
    var base: String { "http://127.0.0.1:\(server.port)" }
    var now: Int64 { clock.now.seconds }

    /// Starts the double, opens the store and runs meterbridge's HTTP server; everything starts at the first period.
    static func start(story: DemoStory, options: DemoOptions) async throws -> DemoWorld {
        let logger = options.logger
        let start = story.periods[0].start
        let stripeClock = ManualClock(seconds: start)
        let stripe = StripeAPIDouble(configuration: .init(apiKeys: [apiKey], clock: stripeClock, logger: logger))
        stripe.addSubscriptionItem(.legacyMetered(
            id: story.itemID, subscription: story.subscriptionID, customer: story.customerID, priceID: story.legacy.id,
            currentPeriod: story.periods[0]
        ))
        stripe.addMeter(MeterSeed(id: story.meterID, eventName: story.metric, aggregation: .sum))
        for endpoint in [StripeEndpoint.createUsageRecord, .createMeterEvent] { stripe.setRandomFaults(options.randomFaults, on: endpoint) }
        let directory = try TemporaryDirectory(prefix: "meterbridge-demo")
        var opened: SQLiteDatabase?
        do {
            let stripeBase = try await stripe.start()
            let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: logger)
            opened = database
            let clock = ManualClock(seconds: start)
            // The runtime builds its Stripe client from the configuration, as `serve` does: real HTTP to the double.
            let runtime = MeterBridgeRuntime(
                configuration: configuration(story: story, databasePath: directory.databasePath, stripeBase: stripeBase.absoluteString),
                store: database, clock: clock, logger: logger
            )
            let server = try await LoopbackServer.start(try runtime.buildApplication(), logger: logger)
            return DemoWorld(
                story: story, directory: directory, database: database, runtime: runtime, clock: clock, stripe: stripe, stripeClock: stripeClock,
                server: server, logger: logger
            )
        } catch {
            if let opened { await opened.close() }
            await stripe.stop()
            if !options.keepDirectory { directory.remove() }
            throw error
        }
    }

    /// meterbridge's settings for the demo: the loopback listener, the double as Stripe, one metric on both prices.
    static func configuration(story: DemoStory, databasePath: String, stripeBase: String) -> MeterBridgeConfiguration {
        var configuration = MeterBridgeConfiguration()
        configuration.database = .sqlite(path: databasePath)
        configuration.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configuration.webhook.secrets = [webhookSecret]
        configuration.adminToken = adminToken
        configuration.stripe.apiKey = apiKey
        configuration.stripe.apiBase = stripeBase
        configuration.metrics = [story.metric: MetricDefinition(product: story.product, meterEventName: story.metric, aggregation: .sum)]
        return configuration
    }

    /// Stops the server, closes the store and the double; removes the directory unless asked to keep it.
    func stop(keepDirectory: Bool) async {
        await server.stop()
        await database.close()
        await stripe.stop()
        if !keepDirectory { directory.remove() }
    }

    /// Moves both clocks to `seconds`; never backwards (retries may already have moved them past it).
    func at(_ seconds: Int64) {
        let target = max(seconds, now)
        clock.set(seconds: target)
        stripeClock.set(seconds: target)
    }
}
