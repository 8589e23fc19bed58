import BillingCore
import StripeAPI
import StripeDouble
import TestPrimitives
import Testing

/// Summaries for reconciliation: typed, every page followed.
struct SummaryTests {
    typealias F = StripeAPIFixture

    @Test func usageRecordSummariesFollowEveryPageWithTheLegacyVersion() async throws {
        try await F.run(configure: { $0.pageSize = 2 }) { f in
            // Five periods (April … August 2024), usage 10, 20, 30, 40, 50.
            let starts: [Int64] = [1_711_929_600, 1_714_521_600, 1_717_200_000, 1_719_792_000, 1_722_470_400, 1_725_148_800]
            for index in 0..<5 {
                if index > 0 { try f.stripe.advancePeriod(item: "si_sum", to: BillingPeriod(start: starts[index], end: starts[index + 1])) }
                f.clock.set(seconds: starts[index] + 3_600)
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_sum", quantity: Int64(10 * (index + 1)), timestamp: starts[index] + 3_600, action: .increment,
                    idempotencyKey: "sum-\(index)")
            }
            let summaries = try await f.client.usageRecordSummaries(subscriptionItem: "si_sum")
            try #require(summaries.count == 5)
            #expect(summaries.map(\.totalUsage) == [50, 40, 30, 20, 10])
            #expect(summaries.map(\.periodStart) == starts[0..<5].reversed())
            #expect(summaries.map(\.periodEnd) == starts[1...5].reversed())
            #expect(summaries.first?.invoice == nil)
            #expect(summaries.dropFirst().allSatisfy { $0.invoice?.hasPrefix("in_") == true })
            #expect(summaries.allSatisfy { $0.subscriptionItem == "si_sum" })

            let pages = f.stripe.requests(to: .listUsageRecordSummaries)
            #expect(pages.count == 3)
            #expect(pages.map { $0.parameter("limit") } == ["2", "2", "2"])
            #expect(pages.map { $0.parameter("starting_after") } == [nil, summaries[1].id, summaries[3].id])
            #expect(pages.allSatisfy { $0.stripeVersion == "2025-02-24.acacia" })
        }
    }

    @Test func meterEventSummariesFollowEveryPageOfDailyWindows() async throws {
        try await F.run(configure: { $0.pageSize = 2 }) { f in
            // One event a day over the five days before "now" (a UTC midnight), values 1 … 5.
            for day in 1...5 {
                let timestamp = F.now - Int64(6 - day) * 86_400 + 3_600
                _ = try await f.client.createMeterEvent(
                    eventName: "api_requests", customer: "cus_1", value: Int64(day), timestamp: timestamp, identifier: "day-\(day)")
            }
            let summaries = try await f.client.meterEventSummaries(
                meterID: "mtr_sum", customer: "cus_1", start: F.now - 5 * 86_400, end: F.now, window: .day)
            try #require(summaries.count == 5)
            #expect(summaries.map(\.aggregatedValue) == [5, 4, 3, 2, 1])
            #expect(summaries.map(\.start) == (1...5).map { F.now - Int64($0) * 86_400 })
            #expect(summaries.allSatisfy { $0.end - $0.start == 86_400 && $0.meter == "mtr_sum" })

            let pages = f.stripe.requests(to: .listMeterEventSummaries)
            #expect(pages.count == 3)
            #expect(pages.map { $0.parameter("starting_after") } == [nil, summaries[1].id, summaries[3].id])
            #expect(pages.allSatisfy { $0.parameter("value_grouping_window") == "day" && $0.parameter("customer") == "cus_1" })
            #expect(pages.allSatisfy { $0.path == "/v1/billing/meters/mtr_sum/event_summaries" })

            // Without a window: one summary for the whole range.
            let whole = try await f.client.meterEventSummaries(meterID: "mtr_sum", customer: "cus_1", start: F.now - 5 * 86_400, end: F.now)
            #expect(whole.map(\.aggregatedValue) == [15])
        }
    }

    @Test func aSummaryRangeStripeRefusesIsAnInvalidRequest() async throws {
        try await F.run { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.meterEventSummaries(meterID: "mtr_sum", customer: "cus_1", start: F.now - 59, end: F.now)
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.param == "start_time")
            #expect(error?.operation == .listMeterEventSummaries)
        }
    }

    @Test func aFailedPageIsRetriedLikeAnyCall() async throws {
        try await F.run(configure: { $0.pageSize = 1 }) { f in
            try f.stripe.advancePeriod(item: "si_sum", to: BillingPeriod(start: F.april.end, end: 1_717_200_000))
            // The first page answers normally (a zero-length slow fault); the second fails once.
            f.stripe.inject(.slow(.zero), .status(500), on: .listUsageRecordSummaries)
            let summaries = try await f.client.usageRecordSummaries(subscriptionItem: "si_sum")
            try #require(summaries.count == 2)
            #expect(summaries.map(\.periodStart) == [F.april.end, F.april.start])
            let pages = f.stripe.requests(to: .listUsageRecordSummaries)
            #expect(pages.map(\.status) == [200, 500, 200])
            #expect(pages.map { $0.parameter("starting_after") } == [nil, summaries[0].id, summaries[0].id])
        }
    }
}
