/// A usage record the product sent that has not been reported to Stripe yet.
public struct PendingUsage: Sendable, Hashable {
    /// Where the store put it in arrival order (SQLite's rowid, PostgreSQL's `seq`): of two records with the same
    /// timestamp, the later one is the latest value of a `last` metric.
    public var sequence: Int64
    public var id: String
    public var customerID: String
    public var metric: String
    public var quantity: Int64
    /// When the usage happened, unix seconds.
    public var timestamp: Int64

    public init(sequence: Int64, id: String, customerID: String, metric: String, quantity: Int64, timestamp: Int64) {
        self.sequence = sequence
        self.id = id
        self.customerID = customerID
        self.metric = metric
        self.quantity = quantity
        self.timestamp = timestamp
    }
}

/// How one metric of the catalogue bills: which Stripe product carries it, its meter, how it adds up.
public struct MetricRoute: Sendable, Hashable {
    public var metric: String
    /// The product of both the legacy price and the meter price.
    public var productID: String
    /// The meter's `event_name`; nil for a metric billed through legacy usage records only.
    public var meterEventName: String?
    public var aggregation: UsageAggregation

    public init(metric: String, productID: String, meterEventName: String?, aggregation: UsageAggregation) {
        self.metric = metric
        self.productID = productID
        self.meterEventName = meterEventName
        self.aggregation = aggregation
    }
}

/// How usage within a period adds up: `sum` (usage records `increment`, a sum meter) or `last` (`set`, a last meter).
public enum UsageAggregation: String, Sendable, Hashable, Codable, CaseIterable {
    case sum, last
}
