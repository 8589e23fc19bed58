/// The `action` of a legacy usage record, fixed by the price's `aggregate_usage`.
public enum UsageRecordAction: String, Sendable, Codable {
    /// Adds the quantity (for `aggregate_usage=sum`).
    case increment
    /// Replaces the quantity (for `last_during_period` and `last_ever`).
    case set
}
