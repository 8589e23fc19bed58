/// A half-open billing interval `[start, end)` in unix seconds, as Stripe reports periods.
public struct BillingPeriod: Sendable, Hashable, Codable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// The period when both bounds are known.
    init?(start: Int64?, end: Int64?) {
        guard let start, let end else { return nil }
        self.init(start: start, end: end)
    }

    /// Whether `time` lies inside the period (the end belongs to the next one).
    public func contains(_ time: Int64) -> Bool {
        start <= time && time < end
    }
}
