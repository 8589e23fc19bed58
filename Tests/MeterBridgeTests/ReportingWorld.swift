import AsyncHTTPClient
import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import NIOCore
import StripeAPI
import StripeDouble
import StripeEventBuilders
import TestPrimitives
import Testing

/// meterbridge in process on a real SQLite file, reporting to the Stripe double on loopback, on one manual clock.
struct ReportingWorld {
    static let token = "admin-token-reporting"
    static let apiKey = "sk_test_reporting_world"
    static let customer = "cus_story"

    let harness: WebhookHarness
    let client: any TestClientProtocol
    let stripe: StripeAPIDouble
    let stripeClock: ManualClock
    let story: BillingStory

    /// Runs `body` with a fresh store, a fresh double seeded with the story's legacy item and the meter.
    ///
    /// With `account`, the store is the SQLite file in its directory and the double is its double, started and seeded
    /// once by the caller: several runs are then several lives of one store (or several stores) on one Stripe account.
    static func run(
        story: BillingStory = BillingStory(shape: .basil), faults: RandomFaults? = nil, planningWindow: Int? = nil, account: SharedAccount? = nil,
        aggregation: MetricDefinition.Aggregation = .sum, _ body: @escaping @Sendable (ReportingWorld) async throws -> Void
    ) async throws {
        let stripeClock = account?.clock ?? ManualClock(seconds: story.start)
        let stripe = account?.stripe ?? StripeAPIDouble(configuration: .init(apiKeys: [apiKey], clock: stripeClock))
        if account == nil { seed(stripe, story: story, aggregation: aggregation) }
        if let faults {
            stripe.setRandomFaults(faults, on: .createUsageRecord)
            stripe.setRandomFaults(faults, on: .createMeterEvent)
        }
        let base: URL
        if let account { base = account.base } else { base = try await stripe.start() }
        let stripeClient = StripeClient(
            configuration: .init(apiKey: apiKey, apiBase: base.absoluteString, rateLimit: 1000, retry: StripeRetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50)), requestTimeout: .seconds(5)),
            httpClient: .shared, logger: quietLogger
        )
        do {
            try await WebhookHarness.run(
                directory: account?.directory,
                configure: { configuration in
                    configuration.adminToken = token
                    configuration.metrics = ["api_requests": MetricDefinition(product: "prod_api", meterEventName: "api_requests", aggregation: aggregation)]
                    if let planningWindow { configuration.flush.planningWindow = planningWindow }
                },
                stripe: stripeClient
            ) { harness, client in
                let world = ReportingWorld(harness: harness, client: client, stripe: stripe, stripeClock: stripeClock, story: story)
                world.at(story.start + 3600)
                try await body(world)
            }
        } catch {
            if account == nil { await stripe.stop() }
            throw error
        }
        if account == nil { await stripe.stop() }
    }

    /// Seeds a double with the story's customers, its legacy item and the meter.
    static func seed(_ stripe: StripeAPIDouble, story: BillingStory, aggregation: MetricDefinition.Aggregation = .sum) {
        stripe.addCustomer(customer)
        stripe.addCustomer("cus_nosub")
        stripe.addSubscriptionItem(.legacyMetered(
            id: "si_\(story.subscriptionID)_api", subscription: story.subscriptionID, customer: customer,
            aggregateUsage: aggregation == .last ? .lastDuringPeriod : .sum, currentPeriod: story.firstPeriod
        ))
        stripe.addMeter(MeterSeed(id: "mtr_api", eventName: "api_requests", aggregation: aggregation == .last ? .last : .sum))
    }

    /// Moves both clocks (meterbridge's and Stripe's) to `seconds`.
    func at(_ seconds: Int64) {
        harness.clock.set(seconds: seconds)
        stripeClock.set(seconds: seconds)
    }

    var now: Int64 { harness.clock.now.seconds }

    /// Delivers signed events and lets the processor apply them.
    func deliver(_ payloads: [UInt8]...) async throws {
        for payload in payloads {
            let response = try await harness.deliverSigned(payload, to: client)
            #expect(response.status == .ok)
        }
        try await harness.processor().processDue()
    }

    /// Posts usage through `POST /v1/usage`, as the company's product would.
    func record(_ quantity: Int64, at timestamp: Int64, customer: String = ReportingWorld.customer, id: String = UUID().uuidString) async throws {
        let body = #"{"customer":"\#(customer)","metric":"api_requests","quantity":\#(quantity),"timestamp":\#(timestamp),"id":"\#(id)"}"#
        let response = try await client.execute(
            uri: "/v1/usage", method: .post,
            headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"], body: ByteBuffer(string: body)
        )
        #expect(response.status == .accepted, "\(String(buffer: response.body))")
    }

    /// Posts `count` records of one unit each in batches of up to 10,000, one second apart from `from` (wrapping
    /// within the hour before now, so every timestamp is in the past).
    func recordBatches(_ count: Int, customer: String, from: Int64) async throws {
        var sent = 0
        while sent < count {
            let size = min(10_000, count - sent)
            let records = (sent..<(sent + size)).map { index in
                #"{"customer":"\#(customer)","metric":"api_requests","quantity":1,"timestamp":\#(from + Int64(index % 3000)),"id":"\#(customer)-\#(index)"}"#
            }
            let response = try await client.execute(
                uri: "/v1/usage", method: .post,
                headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"records":[\#(records.joined(separator: ","))]}"#)
            )
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            sent += size
        }
    }

    /// Fires due timers (boundary flushes) and runs the reporter until nothing is left to send.
    func flush(onlyActions: Bool = false) async throws {
        try await harness.scheduler().fireDue()
        try await harness.reporter.flushNow(onlyActions: onlyActions)
        // Reports that failed wait for their backoff: move the clock a little until they are all through.
        var rounds = 0
        while try await harness.database.dueReports(at: .distantFuture, limit: 1).isEmpty == false, rounds < 50 {
            harness.clock.advance(seconds: 2)
            stripeClock.advance(seconds: 2)
            try await harness.reporter.flushNow()
            rounds += 1
        }
        #expect(try await harness.database.reportCounts()[.dead] == 0, "no report may be refused")
    }

    /// `GET /v1/customers/{id}/usage`, decoded.
    func customerUsage(_ customer: String = ReportingWorld.customer) async throws -> CustomerUsageView {
        let response = try await client.execute(uri: "/v1/customers/\(customer)/usage", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(CustomerUsageView.self, from: Data(response.body.readableBytesView))
    }

    /// The legacy usage Stripe bills for the item in `period`.
    func legacyBilled(_ period: BillingPeriod) -> Int64 {
        stripe.billedUsage(item: "si_\(story.subscriptionID)_api", period: period) ?? 0
    }

    /// The meter total Stripe has for the customer in `period`.
    func meterBilled(_ period: BillingPeriod, customer: String = ReportingWorld.customer) -> Int64 {
        stripe.meterTotal("api_requests", customer: customer, from: period.start, to: period.end) ?? 0
    }
}

/// A Stripe account (the double, started and seeded, with its clock) and the directory of a store, kept across
/// several runs of `ReportingWorld`.
struct SharedAccount: Sendable {
    let stripe: StripeAPIDouble
    let clock: ManualClock
    let base: URL
    let directory: TemporaryDirectory

    /// The same account with the store in another directory.
    func store(in directory: TemporaryDirectory) -> SharedAccount {
        SharedAccount(stripe: stripe, clock: clock, base: base, directory: directory)
    }
}
