import AsyncHTTPClient
import BillingCore
import Foundation
import Logging
import StripeAPI
import StripeDouble
import SystemClock
import TestPrimitives

/// A seeded Stripe API double on loopback and a ``StripeClient`` pointed at it.
struct StripeAPIFixture {
    static let apiKey = "sk_test_meterbridge_0001_secretpart"
    /// 2024-04-10T00:00:00Z (a UTC day boundary).
    static let now: Int64 = 1_712_707_200
    /// April 2024 (UTC): the legacy items' current period.
    static let april = BillingPeriod(start: 1_711_929_600, end: 1_714_521_600)

    let stripe: StripeAPIDouble
    let client: StripeClient
    /// Stripe's clock (the double's), at ``now``; the client has its own.
    let clock: ManualClock
    let observer: RecordingObserver
    let logs: CapturedLogs
    let configuration: StripeClient.Configuration

    /// The client's defaults for tests: a tiny backoff (1 ms base, 4 ms cap) so retries are quick.
    static func configuration(base: URL) -> StripeClient.Configuration {
        StripeClient.Configuration(
            apiKey: apiKey, apiBase: base.absoluteString,
            retry: StripeRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(4)),
            requestTimeout: .seconds(10))
    }

    /// Starts a seeded double, builds the client, runs `body`, and stops the double whatever happens.
    /// The client uses `HTTPClient.shared`, which nobody shuts down.
    static func run(
        configure: (inout StripeClient.Configuration) -> Void = { _ in },
        clientClock: any UnixClock = .system,
        observer: RecordingObserver = RecordingObserver(),
        seed: UInt64 = 1,
        _ body: (StripeAPIFixture) async throws -> Void
    ) async throws {
        let clock = ManualClock(seconds: now)
        let quiet = Logger(label: "StripeDouble", factory: { _ in SwiftLogNoOpLogHandler() })
        let stripe = StripeAPIDouble(configuration: .init(apiKeys: [apiKey], clock: clock, logger: quiet))
        seedDouble(stripe)
        let base = try await stripe.start()
        var configuration = Self.configuration(base: base)
        configure(&configuration)
        let logs = CapturedLogs()
        let client = StripeClient(
            configuration: configuration, httpClient: HTTPClient.shared, logger: logs.logger(), observer: observer, clock: clientClock,
            random: SeededRandom(seed: seed))
        let fixture = StripeAPIFixture(
            stripe: stripe, client: client, clock: clock, observer: observer, logs: logs, configuration: configuration)
        do {
            try await body(fixture)
        } catch {
            await stripe.stop()
            throw error
        }
        await stripe.stop()
    }

    static func seedDouble(_ stripe: StripeAPIDouble) {
        stripe.addSubscriptionItem(.legacyMetered(id: "si_sum", subscription: "sub_1", customer: "cus_1", currentPeriod: april))
        stripe.addSubscriptionItem(
            .legacyMetered(
                id: "si_last", subscription: "sub_1", customer: "cus_1", priceID: "price_last", aggregateUsage: .lastDuringPeriod,
                currentPeriod: april))
        stripe.addCustomer("cus_2")
        stripe.addCustomer("cus_3")
        stripe.addMeter(MeterSeed(id: "mtr_sum", eventName: "api_requests", aggregation: .sum))
        stripe.addMeter(MeterSeed(id: "mtr_last", eventName: "seats", aggregation: .last))
    }

    /// What the meter bills the customer over April.
    func aprilMeterTotal(_ meter: String = "api_requests", customer: String = "cus_1") -> Int64? {
        stripe.meterTotal(meter, customer: customer, from: Self.april.start, to: Self.april.end)
    }
}
