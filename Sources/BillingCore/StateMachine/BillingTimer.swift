/// A timer the state wants armed: a flush before a predictable boundary.
public struct BillingTimer: Sendable, Hashable, Codable {
    public var kind: TimerKind
    public var boundary: Int64
    public var fireAt: Int64

    public init(kind: TimerKind, boundary: Int64, fireAt: Int64) {
        self.kind = kind
        self.boundary = boundary
        self.fireAt = fireAt
    }

    /// The timer's id within `subscriptionID`.
    public func id(subscriptionID: String) -> BillingTimerID {
        BillingTimerID(subscriptionID: subscriptionID, kind: kind, boundary: boundary)
    }

    /// Canonical order: by fire time, then kind.
    static func canonicalOrder(_ lhs: BillingTimer, _ rhs: BillingTimer) -> Bool {
        (lhs.fireAt, lhs.boundary, lhs.kind.rawValue) < (rhs.fireAt, rhs.boundary, rhs.kind.rawValue)
    }
}
