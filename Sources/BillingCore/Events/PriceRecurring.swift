/// The `recurring` part of a price: interval, usage type, and either a legacy aggregation or a meter.
public struct PriceRecurring: Sendable, Equatable {
    /// `interval`: `day`, `week`, `month` or `year`.
    public var interval: String?
    public var intervalCount: Int64?
    /// `usage_type`; Stripe's default `licensed` when absent.
    public var usageType: UsageType
    /// `aggregate_usage`: only in API versions up to 2025-02-24.acacia, and only for metered prices.
    public var aggregateUsage: AggregateUsage?
    /// `meter`: the billing meter's id when the price is meter-backed.
    public var meterID: String?

    public init(
        interval: String? = nil,
        intervalCount: Int64? = nil,
        usageType: UsageType = .licensed,
        aggregateUsage: AggregateUsage? = nil,
        meterID: String? = nil
    ) {
        self.interval = interval
        self.intervalCount = intervalCount
        self.usageType = usageType
        self.aggregateUsage = aggregateUsage
        self.meterID = meterID
    }

    init(_ fields: JSONFields) throws(EventDecodingError) {
        self.interval = try fields.string("interval")
        self.intervalCount = try fields.int64("interval_count")
        self.usageType = try fields.string("usage_type").map(UsageType.init(rawValue:)) ?? .licensed
        self.aggregateUsage = try fields.string("aggregate_usage").map(AggregateUsage.init(rawValue:))
        // The meter is an expandable reference in the API reference, so accept an object too.
        self.meterID = try fields.expandableID("meter")
    }
}
