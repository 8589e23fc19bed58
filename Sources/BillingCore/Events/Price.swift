/// A price as embedded in subscription items and schedule phases, in any API version's shape.
public struct Price: Sendable, Equatable {
    public var id: String
    /// `product`: the id, or the expanded product's id.
    public var productID: String?
    public var active: Bool?
    /// `type`: `recurring` or `one_time`.
    public var type: String?
    public var recurring: PriceRecurring?

    public init(id: String, productID: String? = nil, active: Bool? = nil, type: String? = nil, recurring: PriceRecurring? = nil) {
        self.id = id
        self.productID = productID
        self.active = active
        self.type = type
        self.recurring = recurring
    }

    /// Decodes a price object; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String = "data.object") throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.id = try fields.requiredString("id")
        self.productID = try fields.expandableID("product")
        self.active = try fields.bool("active")
        self.type = try fields.string("type")
        self.recurring = try fields.object("recurring").map { nested throws(EventDecodingError) in try PriceRecurring(nested) }
    }

    /// Decodes a legacy `plan` object (the pre-Prices shape, still mirrored beside `price` in
    /// subscription items), whose recurring fields sit at the top level.
    init(plan json: JSONValue, eventID: String, path: String) throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.id = try fields.requiredString("id")
        self.productID = try fields.expandableID("product")
        self.active = try fields.bool("active")
        self.type = "recurring"
        self.recurring = try PriceRecurring(fields)
    }

    /// How usage for an item on this price is reported: a meter wins over `usage_type`, since
    /// meter-backed prices are `metered` too.
    public var reportingMode: ReportingMode {
        guard let recurring else { return .none }
        if recurring.meterID != nil { return .meter }
        return recurring.usageType == .metered ? .legacy : .none
    }

    /// The usage-record `action` for a legacy metered price: `increment` for `sum` (Stripe's
    /// default when `aggregate_usage` is absent), `set` for `last_during_period` and `last_ever`.
    /// Nil for other reporting modes and for `max` or unknown aggregations, which meterbridge
    /// does not report to.
    public var legacyUsageAction: UsageRecordAction? {
        guard reportingMode == .legacy, let recurring else { return nil }
        switch recurring.aggregateUsage {
        case nil, .sum?: return .increment
        case .lastDuringPeriod?, .lastEver?: return .set
        case .max?, .unknown?: return nil
        }
    }
}
