import BillingCore
import Testing

/// What one mid-cycle switch re-reports: every record of the window once, nothing Stripe already bills on the new
/// price, and nothing when the switch was planned before.
struct RereportPlannerTests {
    static let period = BillingPeriod(start: 1_000, end: 10_000)
    static let legacyOld = PlannedReport.Channel.usageRecord(subscriptionID: "sub_1", itemID: "si_old", action: .increment)
    static let legacyNew = PlannedReport.Channel.usageRecord(subscriptionID: "sub_1", itemID: "si_1", action: .increment)
    static let meter = PlannedReport.Channel.meterEvent(eventName: "api_requests")

    static func route(_ aggregation: UsageAggregation = .sum) -> MetricRoute {
        MetricRoute(metric: "api_requests", productID: "prod_api", meterEventName: "api_requests", aggregation: aggregation)
    }

    static func record(_ sequence: Int64, _ quantity: Int64, at timestamp: Int64, _ delivery: RecordedUsage.Delivery) -> RecordedUsage {
        RecordedUsage(sequence: sequence, id: "rec_\(sequence)", quantity: quantity, timestamp: timestamp, delivery: delivery)
    }

    static func plan(
        _ usage: [RecordedUsage], channel: PlannedReport.Channel = legacyNew, aggregation: UsageAggregation = .sum, billedFrom: Int64 = 5_000,
        existing: [(timestamp: Int64, channel: PlannedReport.Channel)] = []
    ) -> RereportPlanner.Plan {
        let request = Rereport(itemID: "si_1", period: period, usageFrom: period.start, switchedAt: 5_000, billedFrom: billedFrom)
        return RereportPlanner.plan(request, customerID: "cus_1", route: route(aggregation), channel: channel, usage: usage, existing: existing, now: 6_000)
    }

    @Test func sentPendingAndUnsentUsageBeforeTheSwitchIsReReportedOnceStampedAtIt() throws {
        let plan = Self.plan([
            Self.record(1, 30, at: 1_100, .sent(reportID: 1, channel: Self.legacyOld, timestamp: 1_100, sentAt: 1_200)),
            Self.record(2, 5, at: 2_000, .unreported),
            Self.record(3, 7, at: 3_000, .unsent(reportID: 2)),
            Self.record(4, 100, at: 5_000, .unreported),
            Self.record(5, 100, at: 900, .unreported),
        ])
        let report = try #require(plan.report)
        #expect(report.quantity == 42, "the window is [period start, switch)")
        #expect(report.timestamp == 5_000)
        #expect(report.purpose == .rereport)
        #expect(report.channel == Self.legacyNew)
        #expect(report.recordIDs == ["rec_2", "rec_3"], "unsent usage goes out inside the re-report, not on its own")
        #expect(plan.release == [2])
    }

    @Test func usageStripeAlreadyBillsOnTheNewPriceIsLeftOut() throws {
        // The same item took a usage record after the switch (legacy → legacy); a meter event of the new meter was
        // stamped after the new item began billing (it was added before the old one left).
        let legacy = Self.plan([
            Self.record(1, 30, at: 1_100, .sent(reportID: 1, channel: Self.legacyNew, timestamp: 1_100, sentAt: 1_200)),
            Self.record(2, 4, at: 4_000, .sent(reportID: 2, channel: Self.legacyNew, timestamp: 4_000, sentAt: 5_100)),
        ])
        #expect(legacy.report?.quantity == 30)
        let meter = Self.plan(
            [
                Self.record(1, 30, at: 1_100, .sent(reportID: 1, channel: Self.legacyOld, timestamp: 1_100, sentAt: 1_200)),
                Self.record(2, 4, at: 4_500, .sent(reportID: 2, channel: Self.meter, timestamp: 4_500, sentAt: 4_600)),
                Self.record(3, 2, at: 3_000, .sent(reportID: 3, channel: Self.meter, timestamp: 3_000, sentAt: 3_100)),
            ], channel: Self.meter, billedFrom: 4_000
        )
        #expect(meter.report?.quantity == 32)
    }

    @Test func aLastMetricReReportsItsLatestValue() {
        let plan = Self.plan(
            [
                Self.record(1, 30, at: 1_100, .sent(reportID: 1, channel: Self.legacyOld, timestamp: 1_100, sentAt: 1_200)),
                Self.record(3, 35, at: 3_000, .unreported),
                Self.record(2, 40, at: 2_000, .sent(reportID: 2, channel: Self.legacyOld, timestamp: 2_000, sentAt: 2_100)),
            ], aggregation: .last
        )
        #expect(plan.report?.quantity == 35)
    }

    @Test func aSwitchPlannedBeforeIsNotPlannedAgain() {
        let usage = [Self.record(1, 30, at: 1_100, .unreported)]
        #expect(Self.plan(usage, existing: [(5_000, Self.legacyNew)]).report == nil)
        #expect(Self.plan(usage, existing: [(4_000, Self.legacyNew)]).report != nil, "an earlier switch of the period")
        #expect(Self.plan(usage, existing: [(5_500, Self.meter)]).report == nil, "a later switch, re-reported first, covers it")
        #expect(Self.plan([]).report == nil)
    }
}
