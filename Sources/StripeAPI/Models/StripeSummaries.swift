/// One period of a legacy item's usage as Stripe bills it (`object: "usage_record_summary"`).
public struct StripeUsageRecordSummary: Sendable, Equatable {
    public var id: String
    public var subscriptionItem: String
    /// The invoice that billed the period; nil for the current period.
    public var invoice: String?
    /// Unix seconds, `[periodStart, periodEnd)`.
    public var periodStart: Int64
    public var periodEnd: Int64
    /// What Stripe bills for the period, after `aggregate_usage`.
    public var totalUsage: Int64

    public init(id: String, subscriptionItem: String, invoice: String?, periodStart: Int64, periodEnd: Int64, totalUsage: Int64) {
        self.id = id
        self.subscriptionItem = subscriptionItem
        self.invoice = invoice
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.totalUsage = totalUsage
    }
}

/// A customer's aggregated meter usage over one window (`object: "billing.meter_event_summary"`).
public struct StripeMeterEventSummary: Sendable, Equatable {
    public var id: String
    public var meter: String
    /// Unix seconds, `[start, end)`.
    public var start: Int64
    public var end: Int64
    /// The meter's aggregation over the window (a number; whole for meterbridge's usage).
    public var aggregatedValue: Double

    public init(id: String, meter: String, start: Int64, end: Int64, aggregatedValue: Double) {
        self.id = id
        self.meter = meter
        self.start = start
        self.end = end
        self.aggregatedValue = aggregatedValue
    }
}

/// `value_grouping_window` of meter event summaries: one summary per hour or per UTC day instead of one
/// for the whole range (bounds must then be aligned to the window).
public enum StripeMeterSummaryWindow: String, Sendable, Hashable {
    case hour
    case day
}
