import BillingCore
import NIOHTTP1
import StripeDouble
import TestPrimitives
import Testing

/// Idempotency keys: replay of the first answer, conflicts, scope, expiry and concurrent use.
struct IdempotencyTests {
    typealias F = StripeFixture

    @Test func sameKeySameParametersReplaysTheFirstAnswerAndAppliesOnce() async throws {
        try await F.run { stripe, client, _ in
            let form = [("quantity", "5"), ("timestamp", String(F.now - 30))]
            let first = try await client.post(F.usageRecords("si_sum"), form, idempotencyKey: "report-1")
            // Parameter order does not matter to Stripe's comparison.
            let retry = try await client.post(F.usageRecords("si_sum"), form.reversed(), idempotencyKey: "report-1")
            #expect(first.status == 200)
            #expect(retry.status == 200)
            #expect(retry.body == first.body)
            #expect(retry.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(first.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(retry.headers.first(name: "Original-Request") == first.headers.first(name: "Request-Id"))
            #expect(stripe.billedUsage(item: "si_sum") == 5)
            #expect(stripe.requests(to: .createUsageRecord).map(\.applied) == [true, false])
            #expect(stripe.requests(to: .createUsageRecord).map(\.replayed) == [false, true])
        }
    }

    @Test func sameKeyOtherParametersOrEndpointIsAnIdempotencyError() async throws {
        try await F.run { stripe, client, _ in
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "5")], idempotencyKey: "k")
            let otherQuantity = try await client.post(F.usageRecords("si_sum"), [("quantity", "6")], idempotencyKey: "k")
            #expect(otherQuantity.status == 400)
            #expect(otherQuantity.error("type") == "idempotency_error")
            let otherItem = try await client.post(F.usageRecords("si_last"), [("quantity", "5"), ("action", "set")], idempotencyKey: "k")
            #expect(otherItem.status == 400)
            #expect(otherItem.error("type") == "idempotency_error")
            #expect(stripe.billedUsage(item: "si_sum") == 5)
            #expect(stripe.billedUsage(item: "si_last") == 0)
        }
    }

    @Test func keysAreScopedPerAPIKeyAndExpireAfter24Hours() async throws {
        try await F.run { stripe, client, clock in
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "1")], idempotencyKey: "shared")
            var other = client
            other.apiKey = F.otherAPIKey
            let second = try await other.post(F.usageRecords("si_sum"), [("quantity", "1")], idempotencyKey: "shared")
            #expect(second.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(stripe.billedUsage(item: "si_sum") == 2)
            clock.advance(seconds: 86_400)
            let expired = try await client.post(F.usageRecords("si_sum"), [("quantity", "1")], idempotencyKey: "shared")
            #expect(expired.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(stripe.billedUsage(item: "si_sum") == 3)
        }
    }

    @Test func keysLongerThan255CharactersAreRefused() async throws {
        try await F.run { stripe, client, _ in
            let long = try await client.post(F.usageRecords("si_sum"), [("quantity", "1")], idempotencyKey: String(repeating: "k", count: 256))
            #expect(long.status == 400)
            let longest = try await client.post(F.usageRecords("si_sum"), [("quantity", "1")], idempotencyKey: String(repeating: "k", count: 255))
            #expect(longest.status == 200)
            #expect(stripe.billedUsage(item: "si_sum") == 1)
        }
    }

    @Test func businessErrorsAreReplayedButValidationErrorsAreNotSaved() async throws {
        try await F.run { stripe, client, _ in
            // Executed and refused (timestamp before the period): the 400 is the key's result from now on.
            let stale = [("quantity", "1"), ("timestamp", String(F.april.start - 1))]
            #expect(try await client.post(F.usageRecords("si_sum"), stale, idempotencyKey: "late").status == 400)
            let replayed = try await client.post(F.usageRecords("si_sum"), stale, idempotencyKey: "late")
            #expect(replayed.status == 400)
            #expect(replayed.headers.first(name: "Idempotent-Replayed") == "true")
            // Refused by validation: nothing is saved, so the key is still free for a corrected request.
            #expect(try await client.post(F.usageRecords("si_sum"), [("quantity", "x")], idempotencyKey: "typo").status == 400)
            let corrected = try await client.post(F.usageRecords("si_sum"), [("quantity", "3")], idempotencyKey: "typo")
            #expect(corrected.status == 200)
            #expect(corrected.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(stripe.billedUsage(item: "si_sum") == 3)
        }
    }

    @Test func aConcurrentRequestWithAKeyInFlightGets409() async throws {
        try await F.run { stripe, client, _ in
            stripe.inject(.slow(.seconds(600)), on: .createMeterEvent)
            let form = MeterEventTests.event("5") + [("identifier", "slow-1")]
            async let slow = client.post(F.meterEvents, form, idempotencyKey: "in-flight")
            // Once the slow request has taken its fault it holds the key.
            try await stripe.waitUntilFaultsConsumed(on: .createMeterEvent)
            let concurrent = try await client.post(F.meterEvents, form, idempotencyKey: "in-flight")
            #expect(concurrent.status == 409)
            #expect(concurrent.error("code") == "idempotency_key_in_use")
            #expect(concurrent.headers.first(name: "Stripe-Should-Retry") == "true")
            stripe.releaseSlowRequests()
            #expect(try await slow.status == 200)
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 5)
        }
    }
}
