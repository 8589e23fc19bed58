import BillingCore
import BillingStore
import StripeDouble

extension DemoScript {
    /// The per-period totals and every check, read from meterbridge's store and the Stripe double after the run.
    func result(options: DemoOptions) async throws -> DemoResult {
        var usageRecordsBilled = usageRecordsBilled
        for index in story.periods.indices where usageRecordsBilled[index] == nil {
            usageRecordsBilled[index] = world.stripe.billedUsage(item: story.itemID, period: story.periods[index]) ?? 0
        }
        let records = try await world.database.usageRecords(customerID: story.customerID)
        let reports = try await world.database.reports(customerID: story.customerID)
        let (periods, outside) = DemoAccounting(story: story).totals(
            records: records, reports: reports, meterEvents: world.stripe.meterEvents(), usageRecordsBilled: usageRecordsBilled
        )
        let billed = periods.reduce(0) { $0 + $1.billed }
        var problems = try await storeProblems(records: records, reports: reports)
        if outside > 0 { problems.append("\(outside) units fall outside the demo's periods") }
        if posted != billed { problems.append("the product posted \(posted) units; Stripe bills \(billed)") }
        for report in world.stripe.meterErrorReports() {
            problems.append("Stripe reported a meter event error: \(report.code) (\(report.identifier))")
        }
        let requests = world.stripe.requests()
        return DemoResult(
            seed: options.seed, faults: options.faults, timeline: timeline, periods: periods, posted: posted, billed: billed,
            stripeCalls: requests.count, injectedFaults: world.injectedFailures, problems: problems,
            balanced: problems.isEmpty && periods.allSatisfy(\.balanced), directory: options.keepDirectory ? world.directory.path : nil
        )
    }

    /// What meterbridge left undone: events not applied, usage not reported, reports not delivered.
    private func storeProblems(records: [UsageRecord], reports: [UsageReportRow]) async throws -> [String] {
        var problems: [String] = []
        let events = try await world.database.counts()
        for status in [EventStatus.pending, .failed, .dead] {
            if let count = events[status], count > 0 { problems.append("\(count) webhook events \(status.rawValue)") }
        }
        let unreported = records.filter { $0.reportID == nil }
        if !unreported.isEmpty {
            problems.append("\(unreported.count) usage records (\(unreported.reduce(0) { $0 + $1.quantity }) units) never reported")
        }
        let pending = reports.filter { $0.status == .pending }
        if !pending.isEmpty { problems.append("\(pending.count) reports still pending") }
        // A dead report that still holds usage records was refused by Stripe (an abandoned one gave its records back).
        let holding = Set(records.compactMap(\.reportID))
        for report in reports where report.status == .dead && holding.contains(report.id) {
            problems.append("Stripe refused report \(report.key): \(report.lastError ?? "no reason given")")
        }
        return problems
    }
}
