import BillingCore
import Foundation
import NIOHTTP1
import StripeDouble
import Testing

/// API keys: Bearer or basic auth, only configured keys, and no key ever echoed back.
struct AuthenticationTests {
    typealias F = StripeFixture

    @Test func missingKeyIs401() async throws {
        try await F.run { stripe, client, _ in
            var anonymous = client
            anonymous.apiKey = nil
            let answer = try await anonymous.post(F.usageRecords("si_sum"), [("quantity", "1")])
            #expect(answer.status == 401)
            #expect(answer.error("type") == "invalid_request_error")
            #expect(answer.error("message")?.contains("You did not provide an API key") == true)
            #expect(stripe.billedUsage(item: "si_sum") == 0)
        }
    }

    @Test func unknownKeyIs401AndRedacted() async throws {
        try await F.run { stripe, client, _ in
            var wrong = client
            wrong.apiKey = "sk_test_not_a_real_key_9876"
            let answer = try await wrong.post(F.meterEvents, MeterEventTests.event("1"))
            #expect(answer.status == 401)
            #expect(answer.error("message")?.hasPrefix("Invalid API Key provided: sk_test_") == true)
            #expect(answer.error("message")?.hasSuffix("9876") == true)
            #expect(answer.body.contains("not_a_real_key") == false)
            #expect(stripe.meterEvents().isEmpty)
        }
    }

    @Test func basicAuthWithTheKeyAsUserAndRestrictedKeysAreAccepted() async throws {
        try await F.run { stripe, client, _ in
            var basic = client
            basic.apiKey = nil
            let credentials = Data("\(F.apiKey):".utf8).base64EncodedString()
            let viaBasic = try await basic.post(F.usageRecords("si_sum"), [("quantity", "2")], headers: [("Authorization", "Basic \(credentials)")])
            #expect(viaBasic.status == 200)
            var restricted = client
            restricted.apiKey = F.otherAPIKey
            #expect(try await restricted.post(F.usageRecords("si_sum"), [("quantity", "3")]).status == 200)
            #expect(stripe.billedUsage(item: "si_sum") == 5)
            // Test keys create test-mode objects.
            #expect(viaBasic.json["livemode"]?.boolValue == false)
        }
    }
}
