import BillingCore
import NIOHTTP1
import StripeDouble
import TestPrimitives
import Testing

/// Legacy usage records: what Stripe accepts, what it refuses, and what it bills.
struct UsageRecordTests {
    typealias F = StripeFixture

    @Test func incrementsAddUpAndTheAnswerIsAUsageRecord() async throws {
        try await F.run { stripe, client, _ in
            let first = try await client.post(F.usageRecords("si_sum"), [("quantity", "5"), ("timestamp", String(F.now - 60))])
            #expect(first.status == 200)
            #expect(first.json["object"]?.stringValue == "usage_record")
            #expect(first.json["quantity"]?.int64Value == 5)
            #expect(first.json["subscription_item"]?.stringValue == "si_sum")
            #expect(first.json["timestamp"]?.int64Value == F.now - 60)
            #expect(first.json["id"]?.stringValue?.hasPrefix("mbur_") == true)
            // Same timestamp, explicit increment: adds to the quantity held there.
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "7"), ("timestamp", String(F.now - 60)), ("action", "increment")])
            // Default timestamp is now.
            let third = try await client.post(F.usageRecords("si_sum"), [("quantity", "3")])
            #expect(third.json["timestamp"]?.int64Value == F.now)
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "1"), ("timestamp", "now")])
            #expect(stripe.billedUsage(item: "si_sum") == 16)
        }
    }

    @Test func setOverwritesTheQuantityAtItsTimestamp() async throws {
        try await F.run { stripe, client, _ in
            // On a sum price, `set` replaces only its own timestamp's quantity.
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "10"), ("timestamp", String(F.now - 100))])
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "4"), ("timestamp", String(F.now - 50))])
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "6"), ("timestamp", String(F.now - 100)), ("action", "set")])
            #expect(stripe.billedUsage(item: "si_sum") == 10)
            // last_during_period bills the latest timestamp's quantity, whatever was sent before.
            _ = try await client.post(F.usageRecords("si_last"), [("quantity", "40"), ("timestamp", String(F.now - 10)), ("action", "set")])
            _ = try await client.post(F.usageRecords("si_last"), [("quantity", "90"), ("timestamp", String(F.now - 500)), ("action", "set")])
            #expect(stripe.billedUsage(item: "si_last") == 40)
            _ = try await client.post(F.usageRecords("si_last"), [("quantity", "25"), ("timestamp", String(F.now - 10)), ("action", "set")])
            #expect(stripe.billedUsage(item: "si_last") == 25)
        }
    }

    @Test(arguments: [
        ([("timestamp", "1712700000")], "quantity", "parameter_missing"),
        ([("quantity", "1"), ("qty", "2")], "qty", "parameter_unknown"),
        ([("quantity", "1"), ("payload[value]", "2")], "payload[value]", "parameter_unknown"),
        ([("quantity", "1.5")], "quantity", "parameter_invalid_integer"),
        ([("quantity", "ten")], "quantity", "parameter_invalid_integer"),
        ([("quantity", "")], "quantity", "parameter_invalid_empty"),
        ([("quantity", "2"), ("timestamp", "yesterday")], "timestamp", "parameter_invalid_integer"),
    ])
    func malformedParametersAreRefusedAndNothingIsBilled(form: [(String, String)], param: String, code: String) async throws {
        try await F.run { stripe, client, _ in
            let answer = try await client.post(F.usageRecords("si_sum"), form)
            #expect(answer.status == 400)
            #expect(answer.error("type") == "invalid_request_error")
            #expect(answer.error("code") == code)
            #expect(answer.error("param") == param)
            #expect(stripe.billedUsage(item: "si_sum") == 0)
        }
    }

    @Test func negativeQuantityAndUnknownActionAreRefused() async throws {
        try await F.run { stripe, client, _ in
            let negative = try await client.post(F.usageRecords("si_sum"), [("quantity", "-3")])
            #expect(negative.status == 400)
            #expect(negative.error("param") == "quantity")
            let action = try await client.post(F.usageRecords("si_sum"), [("quantity", "3"), ("action", "add")])
            #expect(action.status == 400)
            #expect(action.error("param") == "action")
            #expect(stripe.billedUsage(item: "si_sum") == 0)
        }
    }

    @Test func unknownItemIs404ResourceMissing() async throws {
        try await F.run { _, client, _ in
            let answer = try await client.post(F.usageRecords("si_nope"), [("quantity", "1")])
            #expect(answer.status == 404)
            #expect(answer.error("code") == "resource_missing")
            #expect(answer.error("message")?.contains("si_nope") == true)
        }
    }

    @Test(arguments: ["si_licensed", "si_metered_meter"])
    func onlyMeteredPricesWithoutAMeterTakeUsageRecords(item: String) async throws {
        try await F.run { stripe, client, _ in
            let answer = try await client.post(F.usageRecords(item), [("quantity", "1")])
            #expect(answer.status == 400)
            #expect(stripe.billedUsage(item: item) == 0)
        }
    }

    @Test func timestampsMustLieInTheCurrentPeriodAndNotInTheFuture() async throws {
        try await F.run { stripe, client, clock in
            let before = try await client.post(F.usageRecords("si_sum"), [("quantity", "1"), ("timestamp", String(F.april.start - 1))])
            #expect(before.status == 400)
            #expect(before.error("param") == "timestamp")
            #expect(before.error("message")?.contains("timestamps must be after the subscription's last invoice period") == true)
            let future = try await client.post(F.usageRecords("si_sum"), [("quantity", "1"), ("timestamp", String(F.now + 1))])
            #expect(future.status == 400)
            #expect(future.error("param") == "timestamp")
            let start = try await client.post(F.usageRecords("si_sum"), [("quantity", "2"), ("timestamp", String(F.april.start))])
            #expect(start.status == 200)

            // After the rollover, April is closed: back-dated usage is refused, May's is accepted.
            clock.set(seconds: F.may.start + 3_600)
            try stripe.advancePeriod(item: "si_sum", to: F.may)
            let late = try await client.post(F.usageRecords("si_sum"), [("quantity", "5"), ("timestamp", String(F.may.start - 10))])
            #expect(late.status == 400)
            let current = try await client.post(F.usageRecords("si_sum"), [("quantity", "5"), ("timestamp", String(F.may.start + 10))])
            #expect(current.status == 200)
            #expect(stripe.billedUsage(item: "si_sum", period: F.april) == 2)
            #expect(stripe.billedUsage(item: "si_sum") == 5)
        }
    }

    @Test func clockDriftGraceIsASetting() async throws {
        try await F.run(configure: { $0.usageRecordClockDriftGrace = 300 }) { stripe, client, _ in
            let inGrace = try await client.post(F.usageRecords("si_sum"), [("quantity", "1"), ("timestamp", String(F.now + 300))])
            #expect(inGrace.status == 200)
            let beyond = try await client.post(F.usageRecords("si_sum"), [("quantity", "1"), ("timestamp", String(F.now + 301))])
            #expect(beyond.status == 400)
            #expect(stripe.billedUsage(item: "si_sum") == 1)
        }
    }

    @Test func usageRecordsNeedAnAcaciaOrEarlierVersion() async throws {
        try await F.run { stripe, client, _ in
            for version in ["2025-03-31.basil", "2025-09-30.clover"] {
                var pinned = client
                pinned.version = version
                let answer = try await pinned.post(F.usageRecords("si_sum"), [("quantity", "1")])
                #expect(answer.status == 400, "\(version)")
                #expect(answer.error("message")?.contains("2025-03-31.basil") == true)
            }
            // No header: the account's default version (clover) applies, so the call fails too.
            var unpinned = client
            unpinned.version = nil
            #expect(try await unpinned.post(F.usageRecords("si_sum"), [("quantity", "1")]).status == 400)
            #expect(stripe.billedUsage(item: "si_sum") == 0)

            for version in ["2025-02-24.acacia", "2024-06-20", "2022-11-15"] {
                var pinned = client
                pinned.version = version
                #expect(try await pinned.post(F.usageRecords("si_sum"), [("quantity", "1")]).status == 200, "\(version)")
            }
            #expect(stripe.billedUsage(item: "si_sum") == 3)
        }
    }

    @Test(arguments: ["yesterday", "2025-13-01", "2025-03-31.acacia", "2024-06-20.basil"])
    func malformedVersionsAreRefused(version: String) async throws {
        try await F.run { _, client, _ in
            var pinned = client
            pinned.version = version
            let answer = try await pinned.post(F.usageRecords("si_sum"), [("quantity", "1")])
            #expect(answer.status == 400)
            #expect(answer.error("message")?.contains("Invalid Stripe API version") == true)
        }
    }

    @Test func priceChangeBillsOnlyUsageReportedAfterIt() async throws {
        try await F.run { stripe, client, _ in
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "8"), ("timestamp", String(F.now - 100))])
            let newPrice = Price(id: "price_legacy_v2", type: "recurring", recurring: PriceRecurring(usageType: .metered, aggregateUsage: .sum))
            try stripe.changePrice(item: "si_sum", to: newPrice)
            #expect(stripe.billedUsage(item: "si_sum") == 0)
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "3"), ("timestamp", String(F.now - 50))])
            #expect(stripe.billedUsage(item: "si_sum") == 3)
        }
    }
}
