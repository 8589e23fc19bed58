/// A usage record as the re-report planner needs it: what it was and how far it got towards Stripe.
public struct RecordedUsage: Sendable, Hashable {
    /// Where the record stands.
    public enum Delivery: Sendable, Hashable {
        /// Not assigned to a report yet.
        case unreported
        /// In a report Stripe has not acknowledged (pending, retrying, or given up): `reportID` can be released.
        case unsent(reportID: Int64)
        /// In a report Stripe acknowledged: `channel` and `timestamp` are the report's, `sentAt` when it was sent.
        case sent(reportID: Int64, channel: PlannedReport.Channel, timestamp: Int64, sentAt: Int64)
    }

    public var sequence: Int64
    public var id: String
    public var quantity: Int64
    /// When the usage happened, unix seconds.
    public var timestamp: Int64
    public var delivery: Delivery

    public init(sequence: Int64, id: String, quantity: Int64, timestamp: Int64, delivery: Delivery) {
        self.sequence = sequence
        self.id = id
        self.quantity = quantity
        self.timestamp = timestamp
        self.delivery = delivery
    }
}
