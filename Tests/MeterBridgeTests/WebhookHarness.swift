import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeterBridge
import MeterBridgeTesting
import NIOCore
import StripeAPI
import TestPrimitives

/// The real app on a real SQLite file with a manual clock: what every endpoint test starts from.
struct WebhookHarness {
    static let secret = "whsec_test_current_0123456789"
    static let now: Int64 = 1_763_700_000

    let database: SQLiteDatabase
    let directory: TemporaryDirectory
    let clock: ManualClock
    let runtime: MeterBridgeRuntime
    var configuration: MeterBridgeConfiguration
    var metrics: MeterBridgeMetrics { runtime.metrics }

    /// Runs `body` against a fresh store and app; `configure` adjusts the configuration first.
    @discardableResult
    static func run<Result: Sendable>(
        directory existing: TemporaryDirectory? = nil,
        configure: (inout MeterBridgeConfiguration) -> Void = { _ in },
        stripe: (any StripeUsageClient)? = nil,
        setup: TestingSetup = .router,
        _ body: @escaping @Sendable (WebhookHarness, any TestClientProtocol) async throws -> Result
    ) async throws -> Result {
        let directory = try existing ?? TemporaryDirectory()
        defer { if existing == nil { directory.remove() } }
        var configuration = MeterBridgeConfiguration()
        configuration.webhook.secrets = [secret]
        configuration.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: quietLogger)
        let clock = ManualClock(seconds: WebhookHarness.now)
        let runtime = MeterBridgeRuntime(configuration: configuration, store: database, clock: clock, stripe: .some(stripe), logger: quietLogger)
        let harness = WebhookHarness(database: database, directory: directory, clock: clock, runtime: runtime, configuration: configuration)
        let app = try runtime.buildApplication()
        let result: Result
        do {
            result = try await app.test(setup) { client in try await body(harness, client) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        return result
    }

    /// The event processor over this harness's store and clock (its default configuration unless given one).
    func processor(_ configuration: EventProcessor.Configuration? = nil) -> EventProcessor {
        guard let configuration else { return runtime.processor }
        return EventProcessor(inbox: database, state: database, clock: clock, signal: WorkSignal(), configuration: configuration, metrics: metrics, logger: quietLogger)
    }

    /// The timer scheduler over this harness's store and clock.
    func scheduler() -> TimerScheduler { runtime.scheduler }

    /// The usage reporter (it sends nothing unless the harness was given a Stripe client).
    var reporter: UsageReporter { runtime.reporter }

    /// POSTs `payload` to the webhook endpoint with `signature` as its `Stripe-Signature` (none when nil).
    static func deliver(_ payload: [UInt8], signature: String?, to client: some TestClientProtocol, extraHeaders: HTTPFields = [:]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signature { headers[HTTPField.Name("Stripe-Signature")!] = signature }
        headers.append(contentsOf: extraHeaders)
        return try await client.execute(uri: "/webhooks/stripe", method: .post, headers: headers, body: ByteBuffer(bytes: payload))
    }

    /// Signs `payload` with the harness secret at the harness clock's time and delivers it.
    func deliverSigned(_ payload: [UInt8], to client: some TestClientProtocol, secrets: [String] = [WebhookHarness.secret]) async throws -> TestResponse {
        try await Self.deliver(payload, signature: TestEvent.signature(payload, secrets: secrets, timestamp: clock.now.seconds), to: client)
    }
}

/// Logs nowhere: tests never bootstrap the global logging system.
let quietLogger = Logger(label: "meterbridge.tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// The JSON error body (docs/http-api.md, "Errors"), decoded for assertions.
struct ErrorBody: Decodable, Equatable {
    struct Detail: Decodable, Equatable {
        let type: String
        let code: String
        let message: String
    }

    let error: Detail

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView))
    }
}
