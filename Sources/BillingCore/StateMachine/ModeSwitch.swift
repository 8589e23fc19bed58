/// A change of reporting channel for the item that carries a product.
public struct ModeSwitch: Sendable, Hashable {
    /// The item that carries the product from `effectiveAt` on.
    public var itemID: String
    public var productID: String?
    public var from: ReportingMode
    public var to: ReportingMode
    /// Usage timestamped from here on goes through `to`.
    public var effectiveAt: Int64
    /// The item that carried the product before, when the switch replaced an item.
    public var replacedItemID: String?

    public init(itemID: String, productID: String?, from: ReportingMode, to: ReportingMode, effectiveAt: Int64, replacedItemID: String? = nil) {
        self.itemID = itemID
        self.productID = productID
        self.from = from
        self.to = to
        self.effectiveAt = effectiveAt
        self.replacedItemID = replacedItemID
    }
}
