import BillingCore
import NIOHTTP1
import StripeDouble
import TestPrimitives
import Testing

/// `meter_event_adjustments` with `type=cancel`: removes one event from every total, within 24 hours.
struct MeterAdjustmentTests {
    typealias F = StripeFixture

    static func send(_ client: StripeTestClient, _ identifier: String, value: String = "5") async throws -> StripeTestClient.Answer {
        try await client.post(F.meterEvents, MeterEventTests.event(value) + [("identifier", identifier)])
    }

    static func cancel(_ identifier: String, name: String = "api_requests") -> [(String, String)] {
        [("event_name", name), ("type", "cancel"), ("cancel[identifier]", identifier)]
    }

    @Test func cancelRemovesTheEventFromTotalsAndSummaries() async throws {
        try await F.run { stripe, client, _ in
            _ = try await Self.send(client, "keep", value: "4")
            _ = try await Self.send(client, "drop", value: "6")
            let answer = try await client.post(F.adjustments, Self.cancel("drop"))
            #expect(answer.status == 200)
            #expect(answer.json["object"]?.stringValue == "billing.meter_event_adjustment")
            #expect(answer.json["cancel"]?["identifier"]?.stringValue == "drop")
            #expect(answer.json["type"]?.stringValue == "cancel")
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 4)
            let summary = try await client.get(
                F.eventSummaries("mtr_sum"), [("customer", "cus_1"), ("start_time", String(F.april.start)), ("end_time", String(F.april.end))])
            #expect(summary.json["data"]?[0]?["aggregated_value"]?.int64Value == 4)
            #expect(stripe.meterEvents().first { $0.identifier == "drop" }?.canceled == true)
        }
    }

    @Test func cancellationMustComeWithin24HoursOfReceipt() async throws {
        try await F.run { stripe, client, clock in
            _ = try await Self.send(client, "old")
            clock.advance(seconds: 86_400)
            let answer = try await client.post(F.adjustments, Self.cancel("old"))
            #expect(answer.status == 400)
            #expect(answer.error("param") == "cancel[identifier]")
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 5)
        }
    }

    @Test func unknownIdentifierWrongMeterAndBadParametersAreRefused() async throws {
        try await F.run { stripe, client, _ in
            _ = try await Self.send(client, "evt-1")
            let unknown = try await client.post(F.adjustments, Self.cancel("evt-404"))
            #expect(unknown.status == 400)
            #expect(unknown.error("code") == "resource_missing")
            // The identifier exists, but under another meter's event name.
            #expect(try await client.post(F.adjustments, Self.cancel("evt-1", name: "logins")).status == 400)
            let badType = try await client.post(F.adjustments, [("event_name", "api_requests"), ("type", "refund"), ("cancel[identifier]", "evt-1")])
            #expect(badType.status == 400)
            #expect(badType.error("param") == "type")
            let missing = try await client.post(F.adjustments, [("event_name", "api_requests"), ("type", "cancel")])
            #expect(missing.error("param") == "cancel[identifier]")
            let unknownKey = try await client.post(F.adjustments, Self.cancel("evt-1") + [("cancel[before]", "1")])
            #expect(unknownKey.error("code") == "parameter_unknown")
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 5)
        }
    }
}
