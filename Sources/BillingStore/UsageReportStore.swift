import BillingCore

/// A report as stored: one Stripe call, its key, and whether Stripe has acknowledged it.
public struct UsageReportRow: Hashable, Sendable {
    public var id: Int64
    /// The Idempotency-Key (usage record) or identifier (meter event), fixed when the row is written.
    public var key: String
    public var channel: PlannedReport.Channel
    public var purpose: PlannedReport.Purpose
    public var customerID: String
    public var metric: String
    public var period: BillingPeriod?
    public var quantity: Int64
    public var timestamp: Int64
    public var carried: Bool
    public var status: Status
    public var attempts: Int
    public var lastError: String?
    public var nextAttemptAt: UnixTime
    public var createdAt: UnixTime
    public var sentAt: UnixTime?
    /// When the reporter first tried to send it. Stripe keeps keys for 24 hours, so a report still pending that long
    /// after is checked against Stripe's summaries before it is sent again.
    public var firstAttemptAt: UnixTime?

    public init(
        id: Int64, key: String, channel: PlannedReport.Channel, purpose: PlannedReport.Purpose, customerID: String, metric: String,
        period: BillingPeriod?, quantity: Int64, timestamp: Int64, carried: Bool, status: Status, attempts: Int, lastError: String?,
        nextAttemptAt: UnixTime, createdAt: UnixTime, sentAt: UnixTime?, firstAttemptAt: UnixTime? = nil
    ) {
        self.id = id
        self.key = key
        self.channel = channel
        self.purpose = purpose
        self.customerID = customerID
        self.metric = metric
        self.period = period
        self.quantity = quantity
        self.timestamp = timestamp
        self.carried = carried
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.firstAttemptAt = firstAttemptAt
    }

    /// The row a store has just written for `report`: pending, due at once.
    public init(created report: PlannedReport, id: Int64, key: String, at now: UnixTime) {
        self.init(
            id: id, key: key, channel: report.channel, purpose: report.purpose, customerID: report.customerID, metric: report.metric,
            period: report.period, quantity: report.quantity, timestamp: report.timestamp, carried: report.carried, status: .pending,
            attempts: 0, lastError: nil, nextAttemptAt: now, createdAt: now, sentAt: nil, firstAttemptAt: nil
        )
    }

    /// `pending` until Stripe acknowledges it (`sent`), or `dead` with the reason Stripe gave; `replanned` when its usage
    /// went back to the ledger to be delivered by another report (terminal: sending it again would bill that usage twice).
    public enum Status: String, Hashable, Sendable, CaseIterable {
        case pending, sent, dead, replanned

        /// Whether the report still owes Stripe its usage: pending, or dead until an operator retries it.
        public var isOutstanding: Bool { self == .pending || self == .dead }
    }
}

/// The reporter's ledger: usage waiting to be reported, and the reports that carry it to Stripe.
public protocol UsageReportStore: RereportStore {
    /// Usage records not assigned to a report yet, in the order they were stored (`PendingUsage.sequence`), after
    /// `cursor` when given. Arrival order, not customer order: ingest appends to the index behind it (BENCHMARKS.md).
    func unreportedUsage(after cursor: PendingUsage?, limit: Int) async throws -> [PendingUsage]
    /// Writes the reports and assigns their records to them, atomically; returns the rows with their keys
    /// (`ReportKey` of each report and the store's identity).
    ///
    /// Idempotent on the key: a report whose key is already stored (the same report planned again, after a crash or
    /// while a replanned report's usage waits for the item's new mode) returns the stored row, whatever its status,
    /// and moves no record. Records already assigned elsewhere make the whole call fail, so no usage is ever reported twice.
    func createReports(_ reports: [PlannedReport], at now: UnixTime) async throws -> [UsageReportRow]
    /// Pending reports due at `now`, in creation order.
    func dueReports(at now: UnixTime, limit: Int) async throws -> [UsageReportRow]
    /// Notes `now` as the first attempt of the reports not tried before (once per report: the start of Stripe's 24-hour
    /// key window).
    func markReportsAttempted(ids: [Int64], at now: UnixTime) async throws
    func markReportSent(id: Int64, at now: UnixTime) async throws
    /// Records a failed attempt: retried at `retryAt`, or `dead` with the error when `retryAt` is nil.
    func markReportFailed(id: Int64, error: String, retryAt: UnixTime?) async throws
    /// Gives up a usage report that can no longer be delivered as planned (a legacy period that ended before
    /// Stripe took it, an item whose price Stripe moved to a meter): the row becomes `replanned` with `reason`, and its
    /// records are unassigned so the next plan sends them where they now belong. Nothing is lost and nothing is counted
    /// twice: `replanned` is never sent again, not even by `retryDeadReports`.
    func abandonReport(id: Int64, reason: String) async throws
    /// Puts dead reports back in the queue (an operator's `flush --retry-dead` after fixing the cause); returns how
    /// many. Their key window starts again: the operator decided to send them.
    func retryDeadReports(at now: UnixTime) async throws -> Int
    func reports(customerID: String) async throws -> [UsageReportRow]
    func reportCounts() async throws -> [UsageReportRow.Status: Int]
    /// Usage of a customer's metric with timestamps in [from, to) that Stripe took as legacy usage records on
    /// `itemID` (what a mid-cycle switch must report again on the new price).
    func legacyReportedTotal(customerID: String, metric: String, itemID: String, from: Int64, to: Int64) async throws -> Int64
    /// Pending usage reports of an item's legacy usage records (to abandon when its price moves to a meter).
    func pendingLegacyReports(itemID: String) async throws -> [UsageReportRow]
}
