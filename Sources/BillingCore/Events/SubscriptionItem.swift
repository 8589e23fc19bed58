/// One item of a subscription: its price and, from 2025-03-31.basil on, its own current period.
public struct SubscriptionItem: Sendable, Equatable {
    public var id: String
    public var price: Price
    public var quantity: Int64?
    /// `current_period_start`: set on items from 2025-03-31.basil; earlier versions keep it on the subscription.
    public var currentPeriodStart: Int64?
    public var currentPeriodEnd: Int64?
    public var created: Int64?
    public var metadata: [String: String]

    public init(
        id: String,
        price: Price,
        quantity: Int64? = nil,
        currentPeriodStart: Int64? = nil,
        currentPeriodEnd: Int64? = nil,
        created: Int64? = nil,
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.price = price
        self.quantity = quantity
        self.currentPeriodStart = currentPeriodStart
        self.currentPeriodEnd = currentPeriodEnd
        self.created = created
        self.metadata = metadata
    }

    /// Decodes a subscription item object; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String = "data.object") throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.id = try fields.requiredString("id")
        if let price = fields.value("price") {
            self.price = try Price(price, eventID: eventID, path: fields.path("price"))
        } else if let plan = fields.value("plan") {
            // Items from before the Prices API carry only a plan, which has the same id space.
            self.price = try Price(plan: plan, eventID: eventID, path: fields.path("plan"))
        } else {
            throw .missingField(fields.path("price"), eventID: eventID)
        }
        self.quantity = try fields.int64("quantity")
        self.currentPeriodStart = try fields.int64("current_period_start")
        self.currentPeriodEnd = try fields.int64("current_period_end")
        self.created = try fields.int64("created")
        self.metadata = try fields.stringMap("metadata")
    }

    /// The item's own current period (2025-03-31.basil and later), when both bounds are present.
    public var currentPeriod: BillingPeriod? {
        BillingPeriod(start: currentPeriodStart, end: currentPeriodEnd)
    }
}
