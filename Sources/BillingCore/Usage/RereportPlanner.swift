/// Decides what a mid-cycle price change re-reports (docs/billing-rules.md, "Mid-cycle price changes").
///
/// Pure: the reporter passes the switch, the customer's usage of the metric stamped before it with how far each
/// record got, and the re-reports already written; it gets back at most one report and the unsent reports to release.
/// Every record counts once: a record Stripe took before the switch is counted, a record not yet sent is taken into
/// the re-report itself (so it is not also sent on its own), a record already billed on the new price is left out.
public enum RereportPlanner {
    /// What one switch re-reports.
    public struct Plan: Sendable, Hashable {
        /// The re-report, stamped at the switch; nil when there is nothing to send again, or it exists already.
        public var report: PlannedReport?
        /// Unsent reports whose records the re-report takes over: they would reach the old price, or be refused.
        public var release: [Int64] = []
    }

    /// The re-report of `request` on `channel`, the new item's.
    ///
    /// - Parameters:
    ///   - usage: the customer's records of the metric stamped before the switch, back far enough to include usage
    ///     carried into the period (a sent record counts where its report put it).
    ///   - existing: re-reports already written for the customer's metric in the period. One stamped at this switch
    ///     means a round planned it before (and perhaps crashed before marking the action done); one stamped later
    ///     covers this switch's usage too: nothing new either way.
    ///   - now: a switch read from an older outbox row may lie ahead; it is never later than now.
    public static func plan(
        _ request: Rereport, customerID: String, route: MetricRoute, channel: PlannedReport.Channel, usage: [RecordedUsage],
        existing: [(timestamp: Int64, channel: PlannedReport.Channel)], now: Int64
    ) -> Plan {
        let switchedAt = min(request.switchedAt, now)
        var plan = Plan()
        // Planned before; or a later switch of the period, found first (its update came in first), was re-reported
        // already and covers everything before it.
        if existing.contains(where: { $0.timestamp >= switchedAt }) { return plan }
        var counted: [RecordedUsage] = []
        var taken: [String] = []
        var release = Set<Int64>()
        let window = request.usageFrom..<switchedAt
        for record in usage {
            switch record.delivery {
            case .unreported where window.contains(record.timestamp):
                taken.append(record.id)
                counted.append(record)
            case .unsent(let reportID) where window.contains(record.timestamp):
                release.insert(reportID)
                taken.append(record.id)
                counted.append(record)
            case .sent(_, let sentChannel, let timestamp, let sentAt):
                // Where Stripe put it is the report's timestamp: usage carried into the period counts, though it
                // happened before.
                guard window.contains(timestamp), !billedOnNewPrice(sentChannel, timestamp: timestamp, sentAt: sentAt, channel: channel, billedFrom: request.billedFrom) else { continue }
                counted.append(record)
            case .unreported, .unsent:
                continue
            }
        }
        guard let latest = counted.max(by: { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }) else { return plan }
        // A `last` metric bills its latest value, never a sum (usage records `set`, a `last` meter).
        let quantity = route.aggregation == .sum ? counted.reduce(0) { $0 + $1.quantity } : latest.quantity
        plan.release = release.sorted()
        plan.report = PlannedReport(
            channel: channel, purpose: .rereport, customerID: customerID, metric: route.metric, period: request.period, quantity: quantity,
            timestamp: switchedAt, carried: false, recordIDs: taken.sorted()
        )
        return plan
    }

    /// Whether Stripe bills a sent report on the new price already: a usage record the new item took at or after the
    /// moment it began billing, or a meter event of the new item's meter stamped from then on.
    static func billedOnNewPrice(
        _ sent: PlannedReport.Channel, timestamp: Int64, sentAt: Int64, channel: PlannedReport.Channel, billedFrom: Int64
    ) -> Bool {
        switch (sent, channel) {
        case (.usageRecord(_, let sentItem, _), .usageRecord(_, let item, _)):
            return sentItem == item && sentAt >= billedFrom
        case (.meterEvent(let sentName), .meterEvent(let name)):
            return sentName == name && timestamp >= billedFrom
        default:
            return false
        }
    }
}
