/// One Stripe call the reporter will make: a usage record or a meter event, with the usage it carries.
public struct PlannedReport: Sendable, Hashable {
    /// Where the usage goes.
    public enum Channel: Sendable, Hashable {
        /// `POST /v1/subscription_items/{item}/usage_records`.
        case usageRecord(subscriptionID: String, itemID: String, action: UsageRecordAction)
        /// `POST /v1/billing/meter_events`.
        case meterEvent(eventName: String)
    }

    /// Why the report exists.
    public enum Purpose: String, Sendable, Hashable, Codable {
        /// The usage itself; its records are assigned to this report.
        case usage
        /// A mirror of legacy usage to the meter while a migration is planned; Stripe does not bill it yet.
        case shadow
        /// Period-to-date usage sent again on a new price after a mid-cycle switch.
        case rereport
    }

    public var channel: Channel
    public var purpose: Purpose
    public var customerID: String
    public var metric: String
    /// The billing period the usage lands in, when a subscription item carries it.
    public var period: BillingPeriod?
    public var quantity: Int64
    /// The timestamp sent to Stripe.
    public var timestamp: Int64
    /// The usage was carried into a later period than it happened in (Stripe refuses back-dated usage records).
    public var carried: Bool
    /// The usage records this report delivers (empty for shadows and re-reports, which deliver none).
    public var recordIDs: [String]
    /// For a shadow: the records of the usage report it mirrors. It delivers none of them, but they tell two shadows of
    /// the same quantity at the same second apart (`ReportKey`).
    public var mirroredRecordIDs: [String]

    public init(
        channel: Channel, purpose: Purpose, customerID: String, metric: String, period: BillingPeriod?, quantity: Int64,
        timestamp: Int64, carried: Bool, recordIDs: [String], mirroredRecordIDs: [String] = []
    ) {
        self.channel = channel
        self.purpose = purpose
        self.customerID = customerID
        self.metric = metric
        self.period = period
        self.quantity = quantity
        self.timestamp = timestamp
        self.carried = carried
        self.recordIDs = recordIDs
        self.mirroredRecordIDs = mirroredRecordIDs
    }
}
