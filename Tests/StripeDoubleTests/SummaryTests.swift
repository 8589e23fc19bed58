import BillingCore
import NIOHTTP1
import StripeDouble
import TestPrimitives
import Testing

/// Meter event summaries and legacy usage record summaries agree with the billed totals.
struct SummaryTests {
    typealias F = StripeFixture
    /// 2024-04-09T00:00:00Z, a UTC day boundary before `now`.
    static let day: Int64 = 1_712_620_800

    static func window(_ start: Int64, _ end: Int64, _ extra: [(String, String)] = []) -> [(String, String)] {
        [("customer", "cus_1"), ("start_time", String(start)), ("end_time", String(end))] + extra
    }

    /// The first three hours of `day`.
    static func threeHours(_ extra: [(String, String)] = []) -> [(String, String)] {
        window(day, day + 3 * 3_600, extra)
    }

    @Test func meterSummaryMatchesTheTotalAndHourlyWindowsComeNewestFirst() async throws {
        try await F.run { stripe, client, _ in
            let times: [(Int64, String)] = [(Self.day + 60, "2"), (Self.day + 3_600 + 5, "3"), (Self.day + 3_600 + 100, "4"), (Self.day + 7_300, "9")]
            for (time, value) in times {
                #expect(try await client.post(F.meterEvents, MeterEventTests.event(value) + [("timestamp", String(time))]).status == 200)
            }
            let whole = try await client.get(F.eventSummaries("mtr_sum"), Self.window(Self.day, Self.day + 3 * 3_600))
            #expect(whole.status == 200)
            #expect(whole.json["object"]?.stringValue == "list")
            #expect(whole.json["data"]?.arrayValue?.count == 1)
            #expect(whole.json["data"]?[0]?["object"]?.stringValue == "billing.meter_event_summary")
            #expect(whole.json["data"]?[0]?["aggregated_value"]?.int64Value == 18)
            #expect(whole.json["data"]?[0]?["meter"]?.stringValue == "mtr_sum")
            #expect(stripe.meterTotal("mtr_sum", customer: "cus_1", from: Self.day, to: Self.day + 3 * 3_600) == 18)

            let hourly = try await client.get(F.eventSummaries("mtr_sum"), Self.threeHours([("value_grouping_window", "hour")]))
            let values = hourly.json["data"]?.arrayValue?.compactMap { $0["aggregated_value"]?.int64Value }
            let starts = hourly.json["data"]?.arrayValue?.compactMap { $0["start_time"]?.int64Value }
            #expect(values == [9, 7, 2])
            #expect(starts == [Self.day + 7_200, Self.day + 3_600, Self.day])
        }
    }

    @Test func summariesPaginateWithLimitAndStartingAfter() async throws {
        try await F.run { _, client, _ in
            let first = try await client.get(F.eventSummaries("mtr_sum"), Self.threeHours([("value_grouping_window", "hour"), ("limit", "2")]))
            #expect(first.json["data"]?.arrayValue?.count == 2)
            #expect(first.json["has_more"]?.boolValue == true)
            let last = try #require(first.json["data"]?[1]?["id"]?.stringValue)
            let second = try await client.get(
                F.eventSummaries("mtr_sum"), Self.threeHours([("value_grouping_window", "hour"), ("limit", "2"), ("starting_after", last)]))
            #expect(second.json["data"]?.arrayValue?.count == 1)
            #expect(second.json["data"]?[0]?["start_time"]?.int64Value == Self.day)
            #expect(second.json["has_more"]?.boolValue == false)
            let badLimit = try await client.get(F.eventSummaries("mtr_sum"), Self.window(Self.day, Self.day + 60, [("limit", "101")]))
            #expect(badLimit.status == 400)
            #expect(badLimit.error("param") == "limit")
        }
    }

    @Test(arguments: [
        (SummaryTests.window(SummaryTests.day + 30, SummaryTests.day + 3_600), "start_time"),
        (SummaryTests.window(SummaryTests.day, SummaryTests.day + 3_601), "end_time"),
        (SummaryTests.window(SummaryTests.day, SummaryTests.day + 90 * 60, [("value_grouping_window", "hour")]), "start_time"),
        (SummaryTests.window(SummaryTests.day + 3_600, SummaryTests.day + 86_400 + 3_600, [("value_grouping_window", "day")]), "start_time"),
        (SummaryTests.window(SummaryTests.day, SummaryTests.day + 3_600, [("value_grouping_window", "week")]), "value_grouping_window"),
        ([("start_time", String(SummaryTests.day)), ("end_time", String(SummaryTests.day + 60))], "customer"),
        ([("customer", "cus_1"), ("end_time", String(SummaryTests.day + 60))], "start_time"),
        ([("customer", "cus_1"), ("start_time", String(SummaryTests.day))], "end_time"),
        (SummaryTests.window(SummaryTests.day + 60, SummaryTests.day), "end_time"),
    ] as [([(String, String)], String)])
    func summaryBoundsMustBeAlignedAndComplete(query: [(String, String)], param: String) async throws {
        try await F.run { _, client, _ in
            let answer = try await client.get(F.eventSummaries("mtr_sum"), query)
            #expect(answer.status == 400)
            #expect(answer.error("param") == param)
        }
    }

    @Test func unknownMeterIs404() async throws {
        try await F.run { _, client, _ in
            let answer = try await client.get(F.eventSummaries("mtr_nope"), Self.window(Self.day, Self.day + 60))
            #expect(answer.status == 404)
            #expect(answer.error("code") == "resource_missing")
        }
    }

    @Test func usageRecordSummariesListEveryPeriodNewestFirst() async throws {
        try await F.run { stripe, client, clock in
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "11"), ("timestamp", String(F.now - 10))])
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "4")])
            clock.set(seconds: F.may.start + 60)
            let invoice = try stripe.advancePeriod(item: "si_sum", to: F.may)
            _ = try await client.post(F.usageRecords("si_sum"), [("quantity", "2")])

            let answer = try await client.get(F.usageSummaries("si_sum"))
            #expect(answer.status == 200)
            let data = try #require(answer.json["data"]?.arrayValue)
            #expect(data.count == 2)
            #expect(data[0]["object"]?.stringValue == "usage_record_summary")
            #expect(data[0]["period"]?["start"]?.int64Value == F.may.start)
            #expect(data[0]["invoice"]?.isNull == true)
            #expect(data[0]["total_usage"]?.int64Value == stripe.billedUsage(item: "si_sum"))
            #expect(data[0]["total_usage"]?.int64Value == 2)
            #expect(data[1]["period"]?["end"]?.int64Value == F.april.end)
            #expect(data[1]["invoice"]?.stringValue == invoice)
            #expect(data[1]["total_usage"]?.int64Value == stripe.billedUsage(item: "si_sum", period: F.april))
            #expect(data[1]["total_usage"]?.int64Value == 15)
        }
    }

    @Test func usageRecordSummariesAreAcaciaOnlyAndNeedAKnownItem() async throws {
        try await F.run { _, client, _ in
            var basil = client
            basil.version = "2025-03-31.basil"
            let answer111 = try await basil.get(F.usageSummaries("si_sum"))
            #expect(answer111.status == 400)
            let answer112 = try await client.get(F.usageSummaries("si_nope"))
            #expect(answer112.status == 404)
            let answer113 = try await client.get(F.usageSummaries("si_sum"), [("limit", "0")])
            #expect(answer113.status == 400)
        }
    }
}
