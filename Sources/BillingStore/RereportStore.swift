import BillingCore

/// What the reporter reads to plan a mid-cycle switch's re-report (`RereportPlanner`).
public protocol RereportStore: Sendable {
    /// A customer's records of a metric stamped in `[from, to)`, each with how far it got towards Stripe.
    func recordedUsage(customerID: String, metric: String, from: Int64, to: Int64) async throws -> [RecordedUsage]
    /// The re-reports written for a customer's metric in the period starting at `periodStart`.
    func rereports(customerID: String, metric: String, periodStart: Int64) async throws -> [UsageReportRow]
}

extension RecordedUsage.Delivery {
    /// How far a record in `report` got: sent when Stripe acknowledged the report, unsent otherwise.
    public init(report: UsageReportRow?) {
        guard let report else {
            self = .unreported
            return
        }
        if report.status == .sent, let sentAt = report.sentAt {
            self = .sent(reportID: report.id, channel: report.channel, timestamp: report.timestamp, sentAt: sentAt.seconds)
        } else {
            self = .unsent(reportID: report.id)
        }
    }
}
