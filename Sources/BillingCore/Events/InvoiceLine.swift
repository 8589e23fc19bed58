/// One line of an invoice, with the subscription item and price it bills in either API shape.
public struct InvoiceLine: Sendable, Equatable {
    public var id: String
    /// `subscription_item` (acacia and earlier) or `parent.subscription_item_details.subscription_item` (basil).
    public var subscriptionItemID: String?
    /// `subscription` (acacia and earlier) or `parent.subscription_item_details.subscription` (basil).
    public var subscriptionID: String?
    /// `price.id` (acacia and earlier, or `plan.id` before Prices) or `pricing.price_details.price` (basil).
    public var priceID: String?
    public var period: BillingPeriod?
    public var quantity: Int64?
    /// `proration` (acacia) or `parent.subscription_item_details.proration` (basil).
    public var isProration: Bool

    /// Decodes a line item object; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String) throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.id = try fields.requiredString("id")
        // Evaluate each shape first: `??` with a throwing right-hand side loses the typed error.
        let details = try fields.object("parent")?.object("subscription_item_details")
        let itemID = try fields.expandableID("subscription_item")
        let basilItemID = try details?.expandableID("subscription_item")
        self.subscriptionItemID = itemID ?? basilItemID
        let subscriptionID = try fields.expandableID("subscription")
        let basilSubscriptionID = try details?.expandableID("subscription")
        self.subscriptionID = subscriptionID ?? basilSubscriptionID
        let priceID = try fields.expandableID("price")
        let basilPriceID = try fields.object("pricing")?.object("price_details")?.expandableID("price")
        let planID = try fields.expandableID("plan")
        self.priceID = priceID ?? basilPriceID ?? planID
        let period = try fields.object("period")
        self.period = BillingPeriod(start: try period?.int64("start"), end: try period?.int64("end"))
        self.quantity = try fields.int64("quantity")
        let proration = try fields.bool("proration")
        let basilProration = try details?.bool("proration")
        self.isProration = proration ?? basilProration ?? false
    }
}
