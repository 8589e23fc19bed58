import BillingCore
import Logging
import StripeAPI
import StripeDouble
import Testing

/// The API key is a secret: a refused key is a clear error, and the key appears nowhere.
struct AuthenticationTests {
    typealias F = StripeAPIFixture

    @Test func aBadKeyIsAnAuthenticationErrorThatNeverShowsTheKey() async throws {
        let badKey = "sk_test_wrongwrongwrong_9876"
        try await F.run(configure: { $0.apiKey = badKey }) { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_sum", quantity: 1, timestamp: F.now, action: .increment, idempotencyKey: "auth-1")
            }
            let failure = try #require(error)
            #expect(failure.code == .authentication)
            #expect(failure.status == 401)
            #expect(failure.shouldRetry == false)
            #expect(failure.message.hasPrefix("Invalid API Key provided"))
            #expect(!failure.description.contains(badKey))
            #expect(!failure.message.contains(badKey))
            #expect(failure.description.contains("usage_records"))
            #expect(f.stripe.callCount(.createUsageRecord) == 1)
            #expect(!f.logs.text.contains(badKey))
            #expect(!f.logs.text.contains("wrongwrongwrong"))
        }
    }

    @Test func theKeyIsNeverLoggedNorInTheConfigurationsDescription() async throws {
        try await F.run { f in
            f.stripe.inject(.rateLimited, on: .createMeterEvent)
            _ = try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 1, timestamp: F.now, identifier: "k-1")
            #expect(!f.logs.all.isEmpty)
            #expect(!f.logs.text.contains(F.apiKey))
            #expect(!f.logs.text.contains("secretpart"))
            #expect(!"\(f.configuration)".contains("secretpart"))
            #expect("\(f.configuration)".contains("sk_test_…"))
            // The key did go out (the double answers 401 without it): in the Authorization header only.
            #expect(f.stripe.requests(to: .createMeterEvent).map(\.status) == [429, 200])
        }
    }

    @Test func logsUseConstantMessagesWithDottedMetadata() async throws {
        try await F.run { f in
            f.stripe.inject(.status(500), on: .createUsageRecord)
            _ = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 1, timestamp: F.now, action: .increment, idempotencyKey: "log-1")
            let messages = f.logs.all.map(\.message)
            #expect(messages == ["Stripe call failed, retrying", "Stripe call succeeded"])
            #expect(f.logs.all.allSatisfy { $0.level == .debug })
            let success = try #require(f.logs.all.last)
            #expect(success.metadata["stripe.endpoint"] == "usage_records")
            #expect(success.metadata["stripe.status"] == "200")
            #expect(success.metadata["stripe.idempotency_key"] == "log-1")
            #expect(success.metadata["stripe.request_id"]?.hasPrefix("req_") == true)
            #expect(f.logs.all.first?.metadata["stripe.status"] == "500")
        }
    }
}
