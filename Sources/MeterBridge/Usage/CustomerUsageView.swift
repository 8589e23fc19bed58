import BillingStore

/// `GET /v1/customers/{id}/usage`: what the ledger holds for one customer, per metric.
///
/// Shaped to grow: the reporter adds `reported` and `failed` beside `pending`, and `periods` per metric, without
/// changing what is here. Quantities are sums over records; for a `last` metric the value that bills is `latest_quantity`.
public struct CustomerUsageView: Codable, Sendable, Equatable {
    public var customer: String
    /// One entry per metric with usage, ordered by metric name.
    public var metrics: [Metric]

    /// One metric's usage. An array entry rather than a map key, so metric names never pass through key conversion.
    public struct Metric: Codable, Sendable, Equatable {
        public var metric: String
        /// `sum` or `last`; nil for a metric no longer in the catalogue.
        public var aggregation: String?
        public var records: Int
        /// Sum of every record's quantity.
        public var recorded: Int64
        public var pendingRecords: Int
        /// Sum of the quantities not yet in a report.
        public var pending: Int64
        public var carriedRecords: Int
        /// Sum of the quantities carried into a later period than they happened in.
        public var carried: Int64
        /// Earliest and latest usage time, unix seconds.
        public var firstTimestamp: Int64
        public var lastTimestamp: Int64
        /// The latest record's quantity (latest timestamp; of equal ones, the one stored last).
        public var latestQuantity: Int64

        public init(
            metric: String, aggregation: String?, records: Int, recorded: Int64, pendingRecords: Int, pending: Int64, carriedRecords: Int,
            carried: Int64, firstTimestamp: Int64, lastTimestamp: Int64, latestQuantity: Int64
        ) {
            self.metric = metric
            self.aggregation = aggregation
            self.records = records
            self.recorded = recorded
            self.pendingRecords = pendingRecords
            self.pending = pending
            self.carriedRecords = carriedRecords
            self.carried = carried
            self.firstTimestamp = firstTimestamp
            self.lastTimestamp = lastTimestamp
            self.latestQuantity = latestQuantity
        }
    }

    public init(customer: String, totals: [UsageMetricTotals], catalogue: [String: MetricDefinition]) {
        self.customer = customer
        metrics = totals.map { totals in
            Metric(
                metric: totals.metric, aggregation: catalogue[totals.metric]?.aggregation.rawValue, records: totals.records,
                recorded: totals.recorded, pendingRecords: totals.pendingRecords, pending: totals.pending,
                carriedRecords: totals.carriedRecords, carried: totals.carried, firstTimestamp: totals.firstTimestamp,
                lastTimestamp: totals.lastTimestamp, latestQuantity: totals.latestQuantity
            )
        }
    }
}
