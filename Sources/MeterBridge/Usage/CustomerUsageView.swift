import BillingCore
import BillingStore

/// `GET /v1/customers/{id}/usage`: what the ledger holds for one customer, per metric.
///
/// Per metric: what was recorded, what is pending, carried, reported and refused, and per period what was reported.
/// Quantities are sums over records; for a `last` metric the value that bills is `latest_quantity`.
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
        /// Usage Stripe acknowledged (usage reports sent, shadow and re-report rows left out).
        public var reported: Int64 = 0
        /// Usage in reports Stripe refused (dead letters; `meterbridge flush --retry-dead` sends them again).
        public var failed: Int64 = 0
        /// Per billing period the usage was reported in (usage without a subscription has no period).
        public var periods: [Period] = []

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

    /// One billing period's reported usage of a metric.
    public struct Period: Codable, Sendable, Equatable {
        public var start: Int64?
        public var end: Int64?
        public var reported: Int64
        /// In reports written but not acknowledged yet.
        public var sending: Int64
        public var failed: Int64
        public var carried: Int64
    }

    public init(customer: String, totals: [UsageMetricTotals], reports: [UsageReportRow] = [], catalogue: [String: MetricDefinition]) {
        self.customer = customer
        metrics = totals.map { totals in
            Metric(
                metric: totals.metric, aggregation: catalogue[totals.metric]?.aggregation.rawValue, records: totals.records,
                recorded: totals.recorded, pendingRecords: totals.pendingRecords, pending: totals.pending,
                carriedRecords: totals.carriedRecords, carried: totals.carried, firstTimestamp: totals.firstTimestamp,
                lastTimestamp: totals.lastTimestamp, latestQuantity: totals.latestQuantity
            )
        }
        for index in metrics.indices {
            let usage = reports.filter { $0.metric == metrics[index].metric && $0.purpose == .usage }
            metrics[index].reported = usage.filter { $0.status == .sent }.reduce(0) { $0 + $1.quantity }
            metrics[index].failed = usage.filter { $0.status == .dead }.reduce(0) { $0 + $1.quantity }
            let byPeriod = Dictionary(grouping: usage) { [$0.period?.start ?? -1, $0.period?.end ?? -1] }
            metrics[index].periods = byPeriod.keys.sorted { $0[0] < $1[0] }.map { key in
                let rows = byPeriod[key] ?? []
                func sum(_ status: UsageReportRow.Status) -> Int64 { rows.filter { $0.status == status }.reduce(0) { $0 + $1.quantity } }
                return Period(
                    start: key[0] < 0 ? nil : key[0], end: key[1] < 0 ? nil : key[1], reported: sum(.sent), sending: sum(.pending),
                    failed: sum(.dead), carried: rows.filter(\.carried).reduce(0) { $0 + $1.quantity }
                )
            }
        }
    }
}
