import AsyncHTTPClient
import BillingCore
import BillingStore
import Foundation
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import StripeAPI
import StripeDouble
import StripeEventBuilders
import Synchronization
import TestPrimitives

/// One simulation lane: a running Stripe double and a manual clock shared by it and meterbridge, reused story after
/// story (the double is reset between them), so a story costs a store and a runtime, not a server.
final class SimulationWorker: Sendable {
    static let apiKey = "sk_test_simulation"
    static let secret = "whsec_simulation_0123456789"
    static let token = "admin-token-simulation"

    let clock: ManualClock
    let stripe: StripeAPIDouble
    let base: URL

    private init(stripe: StripeAPIDouble, base: URL, clock: ManualClock) {
        self.stripe = stripe
        self.base = base
        self.clock = clock
    }

    static func start() async throws -> SimulationWorker {
        let clock = ManualClock(seconds: StoryGenerator.start)
        let stripe = StripeAPIDouble(configuration: .init(apiKeys: [apiKey], clock: clock, logger: quietLogger))
        return SimulationWorker(stripe: stripe, base: try await stripe.start(), clock: clock)
    }

    func stop() async { await stripe.stop() }

    /// Plays `story` against a fresh store and a reset double; returns what the judge found.
    func play(_ story: SimulatedStory) async throws -> StoryOutcome {
        stripe.reset()
        clock.set(seconds: StoryGenerator.start)
        stripe.addCustomer(story.customer)
        stripe.addMeter(MeterSeed(id: SimulatedMetric.api.meter, eventName: SimulatedMetric.api.eventName, aggregation: .sum))
        stripe.addMeter(MeterSeed(id: SimulatedMetric.seats.meter, eventName: SimulatedMetric.seats.eventName, aggregation: .last))
        if let faults = story.faults {
            stripe.setRandomFaults(faults, on: .createUsageRecord)
            stripe.setRandomFaults(faults, on: .createMeterEvent)
        }
        let directory = try SimulationDirectory()
        defer { directory.remove() }
        let client = StripeClient(
            configuration: .init(
                apiKey: Self.apiKey, apiBase: base.absoluteString, rateLimit: 1000,
                retry: StripeRetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50)), requestTimeout: .seconds(5)),
            httpClient: .shared, logger: quietLogger, clock: clock)
        let run = StoryRun(story: story, stripe: stripe, clock: clock, stripeClient: client, directory: directory)
        try await run.play()
        return try await run.judge()
    }
}

/// A story's own directory for its SQLite file: in memory-backed `/dev/shm` where there is one (a real file, without
/// the disk's fsync cost, so thousands of stories fit the budget), else in the temporary directory.
struct SimulationDirectory: Sendable {
    let path: String

    init() throws {
        let shared = "/dev/shm"
        let base = FileManager.default.isWritableFile(atPath: shared) ? shared : FileManager.default.temporaryDirectory.path
        path = base + "/mb-sim-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    var databasePath: String { path + "/meterbridge.sqlite" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
