import BillingCore
import NIOHTTP1
import StripeDouble
import TestPrimitives
import Testing

/// Billing meter events: synchronous validation, identifiers, the time window and aggregation.
struct MeterEventTests {
    typealias F = StripeFixture

    static func event(_ value: String = "5", customer: String = "cus_1", name: String = "api_requests") -> [(String, String)] {
        [("event_name", name), ("payload[stripe_customer_id]", customer), ("payload[value]", value)]
    }

    @Test func acceptedEventIsEchoedAndBilledAtItsTimestamp() async throws {
        try await F.run { stripe, client, _ in
            let answer = try await client.post(F.meterEvents, Self.event("5") + [("identifier", "evt-a"), ("timestamp", String(F.now - 3_600))])
            #expect(answer.status == 200)
            #expect(answer.json["object"]?.stringValue == "billing.meter_event")
            #expect(answer.json["identifier"]?.stringValue == "evt-a")
            #expect(answer.json["event_name"]?.stringValue == "api_requests")
            #expect(answer.json["payload"]?["value"]?.stringValue == "5")
            #expect(answer.json["payload"]?["stripe_customer_id"]?.stringValue == "cus_1")
            #expect(answer.json["timestamp"]?.int64Value == F.now - 3_600)
            #expect(answer.json["created"]?.int64Value == F.now)
            _ = try await client.post(F.meterEvents, Self.event("7"))
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 12)
            // Aggregation is by the event's own timestamp.
            #expect(stripe.meterTotal("mtr_sum", customer: "cus_1", from: F.now - 3_600, to: F.now - 3_599) == 5)
            #expect(stripe.meterTotal("mtr_sum", customer: "cus_2", from: F.april.start, to: F.april.end) == 0)
        }
    }

    @Test func countAndLastMetersAggregateTheirWay() async throws {
        try await F.run { stripe, client, _ in
            for value in ["9", "1", "4"] {
                #expect(try await client.post(F.meterEvents, Self.event(value, name: "logins")).status == 200)
            }
            // Count meters do not need a value.
            #expect(try await client.post(F.meterEvents, [("event_name", "logins"), ("payload[stripe_customer_id]", "cus_1")]).status == 200)
            #expect(stripe.meterTotal("logins", customer: "cus_1", from: F.april.start, to: F.april.end) == 4)
            _ = try await client.post(F.meterEvents, Self.event("30", name: "seats") + [("timestamp", String(F.now - 10))])
            _ = try await client.post(F.meterEvents, Self.event("80", name: "seats") + [("timestamp", String(F.now - 100))])
            #expect(stripe.meterTotal("seats", customer: "cus_1", from: F.april.start, to: F.april.end) == 30)
        }
    }

    @Test(arguments: [
        ([("payload[stripe_customer_id]", "cus_1"), ("payload[value]", "1")], "event_name", "parameter_missing"),
        ([("event_name", "api_requests"), ("payload[value]", "1")], "payload[stripe_customer_id]", "parameter_missing"),
        ([("event_name", "api_requests"), ("payload[stripe_customer_id]", "cus_1")], "payload[value]", "parameter_missing"),
        ([("event_name", "api_requests")], "payload", "parameter_missing"),
        ([("event_name", "api_requests"), ("payload", "x")], "payload", nil),
        (MeterEventTests.event() + [("customer", "cus_1")], "customer", "parameter_unknown"),
        (MeterEventTests.event() + [("timestamp", "soon")], "timestamp", "parameter_invalid_integer"),
        (MeterEventTests.event() + [("identifier", "")], "identifier", "parameter_invalid_empty"),
    ] as [([(String, String)], String, String?)])
    func malformedEventsAreRefused(form: [(String, String)], param: String, code: String?) async throws {
        try await F.run { stripe, client, _ in
            let answer = try await client.post(F.meterEvents, form)
            #expect(answer.status == 400)
            #expect(answer.error("param") == param)
            #expect(answer.error("code") == code)
            #expect(stripe.meterEvents().isEmpty)
        }
    }

    @Test(arguments: ["1.5", "-2", "1e3", "+4", " 3", "", "ten", "99999999999999999999"])
    func valuesMustBeWholeNonNegativeNumbers(value: String) async throws {
        try await F.run { stripe, client, _ in
            let answer = try await client.post(F.meterEvents, Self.event(value))
            #expect(answer.status == 400)
            #expect(answer.error("param") == "payload[value]")
            #expect(stripe.meterEvents().isEmpty)
        }
    }

    @Test func unknownEventNameIsRefused() async throws {
        try await F.run { stripe, client, _ in
            let answer = try await client.post(F.meterEvents, Self.event(name: "api_calls"))
            #expect(answer.status == 400)
            #expect(answer.error("param") == "event_name")
            #expect(stripe.meterEvents().isEmpty)
        }
    }

    @Test func identifiersAreAtMost100CharactersAndGeneratedWhenAbsent() async throws {
        try await F.run { stripe, client, _ in
            let long = try await client.post(F.meterEvents, Self.event() + [("identifier", String(repeating: "x", count: 101))])
            #expect(long.status == 400)
            #expect(long.error("param") == "identifier")
            #expect(try await client.post(F.meterEvents, Self.event() + [("identifier", String(repeating: "x", count: 100))]).status == 200)
            let first = try await client.post(F.meterEvents, Self.event())
            let second = try await client.post(F.meterEvents, Self.event())
            let generated = [first, second].compactMap { $0.json["identifier"]?.stringValue }
            #expect(generated.count == 2)
            #expect(Set(generated).count == 2)
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 15)
        }
    }

    @Test func repeatedIdentifierWithin24HoursIsA400AndCountsOnce() async throws {
        try await F.run { stripe, client, clock in
            #expect(try await client.post(F.meterEvents, Self.event("5") + [("identifier", "flush-1")]).status == 200)
            clock.advance(seconds: 86_399)
            let duplicate = try await client.post(F.meterEvents, Self.event("5") + [("identifier", "flush-1")])
            #expect(duplicate.status == 400)
            #expect(duplicate.error("type") == "invalid_request_error")
            #expect(duplicate.error("message") == "An event already exists with identifier flush-1.")
            #expect(duplicate.headers.first(name: "Stripe-Should-Retry") == "false")
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 5)
            // Uniqueness is only promised for 24 hours: afterwards Stripe may accept (and bill) the repeat.
            clock.advance(seconds: 1)
            #expect(try await client.post(F.meterEvents, Self.event("5") + [("identifier", "flush-1")]).status == 200)
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 10)
        }
    }

    @Test func timestampsWithinThePast35DaysAndUpTo5MinutesAhead() async throws {
        try await F.run { stripe, client, _ in
            let tooOld = try await client.post(F.meterEvents, Self.event("1") + [("timestamp", String(F.now - 35 * 86_400 - 1))])
            #expect(tooOld.status == 400)
            #expect(tooOld.error("code") == "timestamp_too_far_in_past")
            let tooNew = try await client.post(F.meterEvents, Self.event("1") + [("timestamp", String(F.now + 301))])
            #expect(tooNew.status == 400)
            #expect(tooNew.error("code") == "timestamp_in_future")
            #expect(try await client.post(F.meterEvents, Self.event("2") + [("timestamp", String(F.now - 35 * 86_400))]).status == 200)
            #expect(try await client.post(F.meterEvents, Self.event("3") + [("timestamp", String(F.now + 300))]).status == 200)
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: 0, to: F.now + 400) == 5)
        }
    }

    @Test func unknownCustomerIsAcceptedButNeverBilled() async throws {
        try await F.run { stripe, client, _ in
            let answer = try await client.post(F.meterEvents, Self.event("6", customer: "cus_ghost") + [("identifier", "ghost-1")])
            #expect(answer.status == 200)
            #expect(stripe.meterTotal("api_requests", customer: "cus_ghost", from: F.april.start, to: F.april.end) == 0)
            #expect(stripe.meterErrorReports().map(\.code) == ["meter_event_customer_not_found"])
            #expect(stripe.meterErrorReports().first?.identifier == "ghost-1")
        }
    }

    @Test func meterEventsWorkInEveryAPIVersion() async throws {
        try await F.run { stripe, client, _ in
            for version in ["2025-09-30.clover", "2025-03-31.basil", "2024-06-20"] {
                var pinned = client
                pinned.version = version
                let answer147 = try await pinned.post(F.meterEvents, Self.event("1"))
                #expect(answer147.status == 200, "\(version)")
            }
            #expect(stripe.meterTotal("api_requests", customer: "cus_1", from: F.april.start, to: F.april.end) == 3)
        }
    }
}
