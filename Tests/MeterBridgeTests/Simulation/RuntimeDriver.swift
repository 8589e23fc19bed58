import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import NIOCore
import StripeDouble
import Synchronization
import TestPrimitives

/// Drives one runtime session the way production runs it, one deterministic step at a time: webhooks through the
/// signed endpoint and the processor, usage through `POST /v1/usage`, rounds of timers and the reporter.
struct RuntimeDriver {
    let run: StoryRun
    let runtime: MeterBridgeRuntime
    let database: SQLiteDatabase
    let client: any TestClientProtocol

    var clock: ManualClock { run.clock }

    func deliver(_ events: [DoubleWebhook]) async throws {
        for event in events {
            let bytes = event.bytes
            let signature = TestEvent.signature(bytes, secrets: [SimulationWorker.secret], timestamp: clock.now.seconds)
            let response = try await WebhookHarness.deliver(bytes, signature: signature, to: client)
            run.log("webhook \(event.type) \(event.id) created=\(event.created) -> \(response.status.code)")
        }
        try await process()
    }

    func process() async throws {
        while try await runtime.processor.processDue() > 0 {}
    }

    func post(_ usage: UsagePost) async throws {
        var fields = [
            #""customer":"\#(run.story.customer)""#, #""metric":"\#(usage.metric.name)""#, #""quantity":\#(usage.quantity)"#,
            #""timestamp":\#(usage.timestamp)"#,
        ]
        if let id = usage.id { fields.append(#""id":"\#(id)""#) }
        let response = try await client.execute(
            uri: "/v1/usage", method: .post,
            headers: [.authorization: "Bearer \(SimulationWorker.token)", .contentType: "application/json"],
            body: ByteBuffer(string: "{\(fields.joined(separator: ","))}"))
        run.log("usage \(usage.metric.name) q=\(usage.quantity) ts=\(usage.timestamp) id=\(usage.id ?? "-") -> \(response.status.code)")
        if response.status == .accepted { run.accepted.append((usage, clock.now.seconds)) }
    }

    /// Timers, then reporter rounds until nothing is due; failed reports wait out their backoff on the clock.
    func flush() async throws {
        try await process()
        try await runtime.scheduler.fireDue()
        try await runtime.reporter.flushNow()
        var rounds = 0
        while try await !database.dueReports(at: .distantFuture, limit: 1).isEmpty, rounds < 30 {
            clock.advance(seconds: 2)
            try await process()
            try await runtime.reporter.flushNow()
            rounds += 1
        }
    }

    /// Moves the clock forward, stopping where production would have run boundary flushes on the way.
    func moveClock(to time: Int64) async throws {
        // The reporter runs every flush interval: a longer move would skip rounds production runs.
        if time - clock.now.seconds > runtime.configuration.flush.interval { try await flush() }
        let lead = runtime.configuration.flush.boundaryLead
        if let end = run.stripe.currentPeriod(subscription: run.story.subscription)?.end, clock.now.seconds < end - lead, time > end - lead {
            clock.set(seconds: end - lead)
            try await flush()
            if time > end - 5 {
                clock.set(seconds: end - 5)
                try await flush()
            }
        }
        if time > clock.now.seconds { clock.set(seconds: time) }
        run.log("clock")
        try await process()
        try await runtime.scheduler.fireDue()
    }

    /// Kills the runtime mid-flush: the round is cancelled once Stripe received `calls` more requests (or it ends).
    func crash(afterCalls calls: Int) async throws {
        let before = run.stripe.requests().count
        let reporter = runtime.reporter
        // A loose task so the round can be cut off from outside, as a SIGKILL would.
        let round = Task { try await reporter.flushNow() }
        let started = ContinuousClock.now
        while run.stripe.requests().count < before + calls + 1, ContinuousClock.now - started < .milliseconds(200) {
            try await Task.sleep(for: .milliseconds(1))
        }
        round.cancel()
        _ = await round.result
        run.log("crash after \(run.stripe.requests().count - before) Stripe calls of the round")
    }

    func customerUsage(_ customer: String) async throws -> CustomerUsageView {
        let response = try await client.execute(
            uri: "/v1/customers/\(customer)/usage", method: .get, headers: [.authorization: "Bearer \(SimulationWorker.token)"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(CustomerUsageView.self, from: Data(response.body.readableBytesView))
    }
}
