/// One usage record to store: validated, with its id settled (the client's, or one derived from its content).
public struct UsageRecordInput: Hashable, Sendable {
    /// The idempotency id: a record whose id is already stored is a duplicate (same content) or a conflict.
    public var id: String
    public var customerID: String
    /// A metric of the catalogue (`metrics` in the configuration).
    public var metric: String
    /// Non-negative.
    public var quantity: Int64
    /// Usage time, unix seconds.
    public var timestamp: Int64
    /// True when the client sent no timestamp and `timestamp` is the receive time. A retry of such a record cannot
    /// repeat the time it was first stored with, so the duplicate check then compares customer, metric and quantity only.
    public var timestampDefaulted: Bool
    /// Receive time, unix milliseconds.
    public var receivedAt: Int64

    public init(id: String, customerID: String, metric: String, quantity: Int64, timestamp: Int64, timestampDefaulted: Bool = false, receivedAt: Int64) {
        self.id = id
        self.customerID = customerID
        self.metric = metric
        self.quantity = quantity
        self.timestamp = timestamp
        self.timestampDefaulted = timestampDefaulted
        self.receivedAt = receivedAt
    }

    /// Whether `stored` is this record stored before: same customer, metric, quantity and (unless defaulted) timestamp.
    public func isSameUsage(as stored: UsageRecord) -> Bool {
        customerID == stored.customerID && metric == stored.metric && quantity == stored.quantity
            && (timestampDefaulted || timestamp == stored.timestamp)
    }
}

/// What `recordUsage` did with a batch: `accepted + duplicates` is the batch size.
public struct UsageIngestResult: Hashable, Sendable {
    /// Records stored now.
    public var accepted: Int
    /// Records whose id was already stored with the same content (an earlier request, or earlier in this batch).
    public var duplicates: Int
    /// Positions of the duplicates in the batch, ascending (usually empty).
    public var duplicateIndices: [Int]

    public init(accepted: Int, duplicateIndices: [Int]) {
        self.accepted = accepted
        self.duplicates = duplicateIndices.count
        self.duplicateIndices = duplicateIndices
    }
}

/// A stored usage record.
public struct UsageRecord: Hashable, Sendable {
    public var id: String
    public var customerID: String
    public var metric: String
    public var quantity: Int64
    /// Usage time, unix seconds.
    public var timestamp: Int64
    /// Receive time, unix milliseconds.
    public var receivedAt: Int64
    /// The report that covers it; nil while it is pending (not yet reported).
    public var reportID: Int64?
    /// Whether the reporter carried it into a later period than its timestamp's.
    public var carried: Bool

    public init(id: String, customerID: String, metric: String, quantity: Int64, timestamp: Int64, receivedAt: Int64, reportID: Int64? = nil, carried: Bool = false) {
        self.id = id
        self.customerID = customerID
        self.metric = metric
        self.quantity = quantity
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.reportID = reportID
        self.carried = carried
    }
}

/// One customer's usage of one metric, over every stored record. Quantities are sums over records; for a `last`
/// metric the value that bills is `latestQuantity`.
public struct UsageMetricTotals: Hashable, Sendable {
    public var metric: String
    public var records: Int
    /// Sum of every record's quantity.
    public var recorded: Int64
    /// Records not yet in a report.
    public var pendingRecords: Int
    /// Sum of the quantities not yet in a report.
    public var pending: Int64
    public var carriedRecords: Int
    /// Sum of the quantities carried into a later period.
    public var carried: Int64
    /// Earliest and latest usage time, unix seconds.
    public var firstTimestamp: Int64
    public var lastTimestamp: Int64
    /// The quantity of the latest record (latest timestamp; of equal timestamps, the one stored last).
    public var latestQuantity: Int64

    public init(
        metric: String, records: Int, recorded: Int64, pendingRecords: Int, pending: Int64, carriedRecords: Int, carried: Int64,
        firstTimestamp: Int64, lastTimestamp: Int64, latestQuantity: Int64
    ) {
        self.metric = metric
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

/// Unreported usage of one customer and metric, added up: where the reporter has work.
public struct PendingUsageGroup: Hashable, Sendable {
    public var customerID: String
    public var metric: String
    public var records: Int
    public var quantity: Int64
    /// Earliest and latest usage time among the pending records, unix seconds.
    public var firstTimestamp: Int64
    public var lastTimestamp: Int64

    public init(customerID: String, metric: String, records: Int, quantity: Int64, firstTimestamp: Int64, lastTimestamp: Int64) {
        self.customerID = customerID
        self.metric = metric
        self.records = records
        self.quantity = quantity
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
    }
}

/// The usage ledger: every usage record the company's product sent, stored once per id, until the reporter covers it.
///
/// The `report_id` contract, for the reporter: a record is *pending* while `report_id` is NULL. The ingest path only
/// inserts (report_id NULL, carried 0) and never updates a row. The reporter, in the one transaction that writes a
/// report row (before sending it to Stripe), sets `report_id` of the records that report delivers to that row's id —
/// `UPDATE … WHERE id = ? AND report_id IS NULL`, so a record lands in at most one report — and `carried` when it moves
/// them into a later period than their timestamp's. It puts a record back to pending (NULL, 0) only when it abandons a
/// report Stripe never accepted. Pending usage is found through a partial index WHERE report_id IS NULL in arrival
/// order (SQLite's `usage_records_pending`, PostgreSQL's `usage_records_pending_seq`), so ingest only appends to it.
public protocol UsageLedgerStore: Sendable {
    /// Stores `records` all-or-nothing, in one transaction, durably before it returns. An id already stored with the same
    /// content is a duplicate (not stored again); with different content it is a `UsageLedgerError` (`.idConflict`)
    /// naming the first such record, and nothing of the batch is stored.
    func recordUsage(_ records: [UsageRecordInput]) async throws -> UsageIngestResult

    /// Totals per metric of one customer's usage, ordered by metric; empty when it has none.
    func usage(customerID: String) async throws -> [UsageMetricTotals]

    /// Every stored record of one customer, in the order they were stored (tests, diagnostics).
    func usageRecords(customerID: String) async throws -> [UsageRecord]

    /// Each (customer, metric) with pending usage, added up, ordered by customer then metric, at most `limit`, starting
    /// after `after` (the last of the previous page) when given. A pass over the pending records (not the reported).
    func pendingUsageGroups(after: (customerID: String, metric: String)?, limit: Int) async throws -> [PendingUsageGroup]
}
