/// The deterministic identity of a flush: the usage reporter dedupes on it, and the state machine
/// never emits the same key twice.
public struct FlushKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var subscriptionID: String
    public var itemID: String
    public var periodStart: Int64
    public var reason: FlushReason

    public init(subscriptionID: String, itemID: String, periodStart: Int64, reason: FlushReason) {
        self.subscriptionID = subscriptionID
        self.itemID = itemID
        self.periodStart = periodStart
        self.reason = reason
    }

    /// `sub_…/si_…/<period start>/<reason>`, usable as an idempotency key (well under 255 characters).
    public var description: String {
        "\(subscriptionID)/\(itemID)/\(periodStart)/\(reason.rawValue)"
    }

    public static func < (lhs: FlushKey, rhs: FlushKey) -> Bool {
        (lhs.subscriptionID, lhs.itemID, lhs.periodStart, lhs.reason.rawValue)
            < (rhs.subscriptionID, rhs.itemID, rhs.periodStart, rhs.reason.rawValue)
    }
}
