/// One local billing period of one subscription item.
public struct ItemPeriod: Sendable, Hashable {
    public var itemID: String
    public var period: BillingPeriod

    public init(itemID: String, period: BillingPeriod) {
        self.itemID = itemID
        self.period = period
    }
}
