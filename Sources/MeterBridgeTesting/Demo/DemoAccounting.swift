import BillingCore
import BillingStore
import StripeDouble

/// Adds up, per billing period, the usage meterbridge's ledger recorded and what the Stripe double bills.
///
/// A usage record counts in the period of the report that delivered it (the timestamp Stripe bills it at), so late
/// usage counts where it was carried; usage still unreported counts at its own time, and then cannot balance.
/// Stripe's side is read from the double alone: usage records as each period's invoice closed, meter events by
/// their timestamp; shadow events are told apart by the identifiers of meterbridge's shadow reports.
struct DemoAccounting {
    let story: DemoStory

    /// Totals per period, and the units that fall in none (on either side).
    ///
    /// - Parameter usageRecordsBilled: what Stripe billed through usage records, by period index.
    func totals(
        records: [UsageRecord], reports: [UsageReportRow], meterEvents: [MeterEventRecord], usageRecordsBilled: [Int: Int64]
    ) -> (periods: [DemoPeriodTotals], outside: Int64) {
        var periods = story.periods.enumerated().map { index, period in
            DemoPeriodTotals(
                period: index + 1, start: period.start, end: period.end, recorded: 0, usageRecords: usageRecordsBilled[index] ?? 0,
                meterEvents: 0, shadowMeterEvents: 0, carried: 0, billed: 0, balanced: false
            )
        }
        var outside: Int64 = 0
        let reportsByID = Dictionary(uniqueKeysWithValues: reports.map { ($0.id, $0) })
        for record in records where record.metric == story.metric {
            let time = record.reportID.flatMap { reportsByID[$0]?.timestamp } ?? record.timestamp
            guard let index = story.periods.firstIndex(where: { $0.contains(time) }) else {
                outside += record.quantity
                continue
            }
            periods[index].recorded += record.quantity
            if record.carried { periods[index].carried += record.quantity }
        }
        let shadowKeys = Set(reports.filter { $0.purpose == .shadow }.map(\.key))
        for event in meterEvents
        where event.customer == story.customerID && event.eventName == story.metric && !event.canceled && event.errorCode == nil {
            guard let index = story.periods.firstIndex(where: { $0.contains(event.timestamp) }) else {
                outside += shadowKeys.contains(event.identifier) ? 0 : event.value
                continue
            }
            if shadowKeys.contains(event.identifier) {
                periods[index].shadowMeterEvents += event.value
            } else {
                periods[index].meterEvents += event.value
            }
        }
        for index in periods.indices {
            periods[index].billed = periods[index].usageRecords + periods[index].meterEvents
            periods[index].balanced = periods[index].recorded == periods[index].billed
        }
        return (periods, outside)
    }
}
