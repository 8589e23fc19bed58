/// A mid-cycle price change's re-report: in Stripe's classic billing mode the usage stamped in the period before the
/// switch is not billed on the new price, so it is reported again, once, on the item that bills from the switch on.
public struct Rereport: Sendable, Hashable {
    /// The item that bills the product from the switch on (the same item after a price change, the new one after a
    /// replacement).
    public var itemID: String
    /// That item's current period: the report lands in it.
    public var period: BillingPeriod
    /// The earliest usage the re-report covers: the period's start, or the replaced item's period start when the new
    /// item's own period begins at its creation.
    public var usageFrom: Int64
    /// The moment the old price stopped billing: usage stamped before it is what Stripe drops, and the re-report is
    /// stamped at it (Stripe bills it on the new price).
    public var switchedAt: Int64
    /// Usage reported on `itemID` from here on is billed on the new price already. The switch itself, except when the
    /// new item was added before the old one was deleted.
    public var billedFrom: Int64
    /// The item that billed the product before, when the switch replaced an item.
    public var replacedItemID: String?

    public init(itemID: String, period: BillingPeriod, usageFrom: Int64, switchedAt: Int64, billedFrom: Int64, replacedItemID: String? = nil) {
        self.itemID = itemID
        self.period = period
        self.usageFrom = usageFrom
        self.switchedAt = switchedAt
        self.billedFrom = billedFrom
        self.replacedItemID = replacedItemID
    }

    /// The item and period the re-report lands in.
    public var itemPeriod: ItemPeriod { ItemPeriod(itemID: itemID, period: period) }
}
