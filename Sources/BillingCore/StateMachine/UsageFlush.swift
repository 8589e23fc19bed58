/// A flush request: report the item's pending usage of `period` now.
public struct UsageFlush: Sendable, Hashable {
    public var key: FlushKey
    /// The period as currently known (its end is the boundary, the removal or the subscription's end).
    public var period: BillingPeriod

    public init(key: FlushKey, period: BillingPeriod) {
        self.key = key
        self.period = period
    }

    public var itemID: String { key.itemID }
    public var reason: FlushReason { key.reason }
}
