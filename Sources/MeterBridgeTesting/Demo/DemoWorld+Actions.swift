import AsyncHTTPClient
import BillingCore
import BillingStore
import Foundation
import MeterBridge
import NIOCore
import NIOHTTP1
import StripeDouble

/// What the demo does to meterbridge, the way Stripe and the company's product would: HTTP on loopback.
extension DemoWorld {
    /// POSTs `payload` to `/webhooks/stripe`, signed now with the demo's secret, then lets the processor apply it and
    /// the reporter react to the actions it committed (in `serve` the processor pokes the reporter for the same).
    func deliver(_ payload: [UInt8]) async throws -> FlushOutcome {
        let signature = TestEvent.signature(payload, secrets: [Self.webhookSecret], timestamp: now)
        let response = try await post("/webhooks/stripe", body: payload, headers: ["Stripe-Signature": signature])
        guard response.status == 200 else { throw DemoError(message: "webhook refused with \(response.status): \(response.body)") }
        try await runtime.processor.processDue()
        return try await flush(onlyActions: true)
    }

    /// POSTs usage records to `/v1/usage` as one batch, as the company's product would.
    func postUsage(_ records: [DemoUsage]) async throws {
        let lines = records.map { usage in
            #"{"customer":"\#(story.customerID)","metric":"\#(story.metric)","quantity":\#(usage.quantity),"#
                + #""timestamp":\#(usage.timestamp),"id":"\#(usage.id)"}"#
        }
        let body = Array(#"{"records":[\#(lines.joined(separator: ","))]}"#.utf8)
        let response = try await post("/v1/usage", body: body, headers: ["Authorization": "Bearer \(Self.adminToken)"])
        guard response.status == 202 else { throw DemoError(message: "POST /v1/usage refused with \(response.status): \(response.body)") }
    }

    /// What the running scheduler and reporter would do now: fire due timers, carry out the actions (all pending
    /// usage too, unless `onlyActions`), and send. Reports that failed wait for their backoff: the clocks move on to
    /// each retry time, as they would in real time, until every report is through or given up.
    func flush(onlyActions: Bool) async throws -> FlushOutcome {
        let faultsBefore = injectedFailures
        var outcome = FlushOutcome(timersFired: try await runtime.scheduler.fireDue())
        outcome.add(try await runtime.reporter.flushNow(onlyActions: onlyActions))
        var rounds = 0
        while let next = try await database.dueReports(at: .distantFuture, limit: 1).first, rounds < 40 {
            // The next whole second at or after the retry: the demo's clocks move in Stripe's seconds.
            at((next.nextAttemptAt + .milliseconds(999)).seconds)
            outcome.timersFired += try await runtime.scheduler.fireDue()
            outcome.add(try await runtime.reporter.flushNow(onlyActions: true))
            rounds += 1
        }
        outcome.faults = injectedFailures - faultsBefore
        return outcome
    }

    /// Requests the double failed on purpose so far (429, 5xx, dropped connection); a slowed answer is no failure.
    var injectedFailures: Int {
        stripe.requests().count { request in
            guard let fault = request.fault else { return false }
            if case .slow = fault { return false }
            return true
        }
    }

    /// meterbridge's local view of the demo subscription, and every report row of the customer.
    func snapshot() async throws -> DemoSnapshot {
        let record = try await database.subscription(id: story.subscriptionID)
        return DemoSnapshot(
            subscription: try record.map(SubscriptionView.init(record:)), reports: try await database.reports(customerID: story.customerID)
        )
    }

    private func post(_ path: String, body: [UInt8], headers: [String: String]) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: answer))
    }
}

/// One usage record the demo's "product" posts.
struct DemoUsage: Sendable {
    var id: String
    var quantity: Int64
    var timestamp: Int64
}

/// What one round of the scheduler and reporter did.
struct FlushOutcome: Sendable {
    var timersFired = 0
    var reportsCreated = 0
    var sent = 0
    /// Attempts that failed and were retried later (the client retries inside a call first).
    var failed = 0
    /// Failures the double injected meanwhile; the client's own retries absorb most of them.
    var faults = 0

    mutating func add(_ summary: FlushSummary) {
        reportsCreated += summary.reportsCreated
        sent += summary.sent
        failed += summary.failed
    }
}

/// meterbridge's state at one moment, to tell what a step changed.
struct DemoSnapshot: Sendable {
    var subscription: SubscriptionView?
    var reports: [UsageReportRow]
}
