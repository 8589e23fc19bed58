/// One item of a schedule phase: the price it will put on the subscription and its quantity.
public struct SchedulePhaseItem: Sendable, Equatable {
    /// `price` (or legacy `plan`): the id, or the expanded price's id.
    public var priceID: String
    /// The full price when Stripe sent it expanded, so its reporting mode is known without a fetch.
    public var price: Price?
    public var quantity: Int64?

    public init(priceID: String, price: Price? = nil, quantity: Int64? = nil) {
        self.priceID = priceID
        self.price = price
        self.quantity = quantity
    }

    /// Decodes a phase item; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String) throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        // Schedules written before the Prices API name the field `plan`; both hold the same ids.
        let key = fields.value("price") != nil || fields.value("plan") == nil ? "price" : "plan"
        let value = fields.value(key)
        if let value, value.objectValue != nil {
            let price = try Price(value, eventID: eventID, path: fields.path(key))
            self.priceID = price.id
            self.price = price
        } else {
            self.priceID = try fields.requiredExpandableID(key)
            self.price = nil
        }
        self.quantity = try fields.int64("quantity")
    }
}
