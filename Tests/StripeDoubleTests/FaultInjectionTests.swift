import BillingCore
import NIOCore
import NIOHTTP1
import StripeDouble
import Testing

/// Injected faults: each kind answers (or fails) as programmed, and totals show exactly what was applied.
struct FaultInjectionTests {
    typealias F = StripeFixture

    @Test(arguments: [true, false, nil] as [Bool?])
    func rateLimitAnswers429WithStripeShouldRetryAndAppliesNothing(shouldRetry: Bool?) async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.status(429, shouldRetry: shouldRetry), on: .createUsageRecord)
            let limited = try await client.post(F.usageRecords("si_sum"), [("quantity", "5")], idempotencyKey: "r-1")
            #expect(limited.status == 429)
            #expect(limited.error("code") == "rate_limit")
            #expect(limited.headers.first(name: "Stripe-Should-Retry") == shouldRetry.map { $0 ? "true" : "false" })
            #expect(stripe.billedUsage(item: "si_sum") == 0)
            // The retry under the same key executes: a rate-limited request saves no idempotent result.
            let retry = try await client.post(F.usageRecords("si_sum"), [("quantity", "5")], idempotencyKey: "r-1")
            #expect(retry.status == 200)
            #expect(retry.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(stripe.billedUsage(item: "si_sum") == 5)
            #expect(stripe.callCount(.createUsageRecord) == 2)
        }
    }

    @Test func serverErrorAppliesNothingAndFaultsAreScopedToTheirEndpoint() async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.status(500), .status(503, shouldRetry: true), on: .createMeterEvent)
            // Other endpoints are unaffected.
            #expect(try await client.post(F.usageRecords("si_sum"), [("quantity", "1")]).status == 200)
            let first = try await client.post(F.meterEvents, MeterEventTests.event("4") + [("identifier", "e-1")])
            #expect(first.status == 500)
            #expect(first.error("type") == "api_error")
            let second = try await client.post(F.meterEvents, MeterEventTests.event("4") + [("identifier", "e-1")])
            #expect(second.status == 503)
            #expect(second.headers.first(name: "Stripe-Should-Retry") == "true")
            #expect(stripe.meterEvents().isEmpty)
            // The identifier was never stored, so the third attempt is not a duplicate.
            #expect(try await client.post(F.meterEvents, MeterEventTests.event("4") + [("identifier", "e-1")]).status == 200)
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 4)
            #expect(stripe.requests(to: .createMeterEvent).map(\.fault) == [.status(500), .status(503, shouldRetry: true), nil])
        }
    }

    @Test func slowAnswerOutlivesAClientTimeoutAndIsStillApplied() async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.slow(.seconds(600)), on: .createUsageRecord)
            await #expect(throws: (any Error).self) {
                _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "9")], idempotencyKey: "slow-1", timeout: .milliseconds(200))
            }
            #expect(stripe.billedUsage(item: "si_sum") == 0)
            // Released only once the request holds its fault: on a loaded machine it may reach the double after the
            // client's 200 ms, and a release before it arrives would not reach it.
            try await stripe.waitUntilFaultsConsumed(on: .createUsageRecord)
            stripe.releaseSlowRequests()
            // Stripe finishes what it started even though the client gave up.
            try await stripe.waitForRequests(count: 1, to: .createUsageRecord)
            #expect(stripe.requests(to: .createUsageRecord).first?.applied == true)
            #expect(stripe.billedUsage(item: "si_sum") == 9)
            // The client's retry with the same key is answered from the saved result.
            let retry = try await client.post(F.usageRecords("si_sum"), [("quantity", "9")], idempotencyKey: "slow-1")
            #expect(retry.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(stripe.billedUsage(item: "si_sum") == 9)
        }
    }

    @Test func shortSlowFaultStillAnswers() async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.slow(.milliseconds(20)), on: .createUsageRecord)
            let answer70 = try await client.post(F.usageRecords("si_sum"), [("quantity", "2")])
            #expect(answer70.status == 200)
            #expect(stripe.requests(to: .createUsageRecord).first?.fault == .slow(.milliseconds(20)))
            #expect(stripe.billedUsage(item: "si_sum") == 2)
        }
    }

    @Test func dropBeforeApplyingLosesTheRequest() async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.dropConnection(.beforeApplying), on: .createUsageRecord)
            await #expect(throws: (any Error).self) {
                _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "6")], idempotencyKey: "d-1")
            }
            #expect(stripe.billedUsage(item: "si_sum") == 0)
            let logged = try #require(stripe.requests(to: .createUsageRecord).first)
            #expect(logged.status == nil)
            #expect(logged.applied == false)
            // Nothing was saved under the key: the retry executes for the first time.
            let retry = try await client.post(F.usageRecords("si_sum"), [("quantity", "6")], idempotencyKey: "d-1")
            #expect(retry.status == 200)
            #expect(retry.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(stripe.billedUsage(item: "si_sum") == 6)
        }
    }

    @Test func dropAfterApplyingBillsOnceWhenTheRetryReusesTheKey() async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.dropConnection(.afterApplying), on: .createUsageRecord)
            await #expect(throws: (any Error).self) {
                _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "6")], idempotencyKey: "d-2")
            }
            // Stripe processed it although the client never heard.
            #expect(stripe.billedUsage(item: "si_sum") == 6)
            #expect(stripe.requests(to: .createUsageRecord).first?.applied == true)
            #expect(stripe.requests(to: .createUsageRecord).first?.status == nil)
            let retry = try await client.post(F.usageRecords("si_sum"), [("quantity", "6")], idempotencyKey: "d-2")
            #expect(retry.status == 200)
            #expect(retry.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(stripe.billedUsage(item: "si_sum") == 6)
            // Without the key, the same retry would be billed twice: the double shows it.
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "6")])
            #expect(stripe.billedUsage(item: "si_sum") == 12)
        }
    }

    @Test func dropAfterApplyingAMeterEventMakesTheRetryADuplicate() async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.dropConnection(.afterApplying), on: .createMeterEvent)
            let form = MeterEventTests.event("8") + [("identifier", "flush-7")]
            await #expect(throws: (any Error).self) { _ = try await client.post(F.meterEvents, form) }
            let retry = try await client.post(F.meterEvents, form)
            #expect(retry.status == 400)
            #expect(retry.error("message") == "An event already exists with identifier flush-7.")
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 8)
            #expect(stripe.callCount(.createMeterEvent) == 2)
        }
    }

    @Test func randomFaultsFollowTheSeed() async throws {
        let rates = [RandomFaults.Rate(.status(500), probability: 0.3), RandomFaults.Rate(.rateLimited, probability: 0.2)]
        var runs: [[Int]] = []
        for _ in 0..<2 {
            try await F.run { stripe, client, _ in
                stripe.setRandomFaults(RandomFaults(seed: 42, rates: rates), on: .createUsageRecord)
                var statuses: [Int] = []
                for _ in 0..<40 {
                    statuses.append(try await client.post(F.usageRecords("si_sum"), [("quantity", "1")]).status)
                }
                // Only the successful calls are billed.
                #expect(stripe.billedUsage(item: "si_sum") == Int64(statuses.count { $0 == 200 }))
                runs.append(statuses)
            }
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0].contains(500))
        #expect(runs[0].contains(429))
        #expect(runs[0].contains(200))
    }

    @Test func queuedFaultsComeBeforeRandomOnesAndRandomCanBeTurnedOff() async throws {
        try await F.run { stripe, client, _ in
            stripe.setRandomFaults(RandomFaults(seed: 7, rates: [.init(.status(502), probability: 1)]), on: .createUsageRecord)
            stripe.inject(.rateLimited, on: .createUsageRecord)
            let answer152 = try await client.post(F.usageRecords("si_sum"), [("quantity", "1")])
            #expect(answer152.status == 429)
            let answer153 = try await client.post(F.usageRecords("si_sum"), [("quantity", "1")])
            #expect(answer153.status == 502)
            stripe.setRandomFaults(nil, on: .createUsageRecord)
            let answer155 = try await client.post(F.usageRecords("si_sum"), [("quantity", "1")])
            #expect(answer155.status == 200)
            #expect(stripe.billedUsage(item: "si_sum") == 1)
        }
    }
}
