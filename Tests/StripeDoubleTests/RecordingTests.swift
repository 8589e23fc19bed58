import BillingCore
import NIOHTTP1
import StripeDouble
import Testing

/// The request log: what was sent, how it was answered, and Stripe's answer to everything else.
struct RecordingTests {
    typealias F = StripeFixture

    @Test func everyRequestIsLoggedWithHeadersParametersAndStatus() async throws {
        try await F.run { stripe, client, _ in
            _ = try await client.post(F.meterEvents, MeterEventTests.event("3") + [("identifier", "log-1")], idempotencyKey: "idem-log")
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "x")])
            let requests = stripe.requests()
            #expect(requests.map(\.sequence) == [1, 2])
            #expect(requests[0].endpoint == .createMeterEvent)
            #expect(requests[0].method == "POST")
            #expect(requests[0].path == "/v1/billing/meter_events")
            #expect(requests[0].idempotencyKey == "idem-log")
            #expect(requests[0].stripeVersion == "2025-02-24.acacia")
            #expect(requests[0].parameter("payload[stripe_customer_id]") == "cus_1")
            #expect(requests[0].parameter("payload[value]") == "3")
            #expect(requests[0].status == 200)
            #expect(requests[0].applied)
            #expect(requests[0].receivedAt == F.now)
            #expect(requests[1].status == 400)
            #expect(requests[1].applied == false)
            #expect(requests[1].responseBody.contains("parameter_invalid_integer"))
            #expect(stripe.callCount(.createMeterEvent) == 1)
            #expect(stripe.callCount(.createUsageRecord) == 1)
            #expect(stripe.callCount(.listMeterEventSummaries) == 0)
        }
    }

    @Test func unknownPathsAndMethodsAre404() async throws {
        try await F.run { stripe, client, _ in
            let unknown = try await client.post("/v1/customers", [("email", "a@b.c")])
            #expect(unknown.status == 404)
            #expect(unknown.error("message")?.hasPrefix("Unrecognized request URL (POST: /v1/customers)") == true)
            // GET on a create-only path is not served either.
            #expect(try await client.get(F.meterEvents).status == 404)
            #expect(stripe.requests().map(\.endpoint) == [nil, nil])
        }
    }

    @Test func jsonBodiesAreRefusedLikeStripeDoes() async throws {
        try await F.run { stripe, client, _ in
            let json = try await client.postRaw(F.usageRecords("si_sum"), body: #"{"quantity": 3}"#, contentType: "application/json")
            #expect(json.status == 400)
            #expect(json.error("message")?.contains("application/x-www-form-urlencoded") == true)
            #expect(stripe.billedUsage(item: "si_sum") == 0)
        }
    }

    @Test func percentEncodedBracketsAndPlusSignsDecode() async throws {
        try await F.run { stripe, client, _ in
            let body = "event_name=api_requests&payload%5Bstripe_customer_id%5D=cus_1&payload%5Bvalue%5D=12&identifier=a+b"
            let answer = try await client.postRaw(F.meterEvents, body: body, contentType: "application/x-www-form-urlencoded")
            #expect(answer.status == 200)
            #expect(answer.json["identifier"]?.stringValue == "a b")
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 12)
        }
    }
}
