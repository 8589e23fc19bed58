/// A subscription snapshot (`data.object` of `customer.subscription.*`), read from both the
/// acacia-and-earlier and the basil-and-later shapes.
public struct Subscription: Sendable, Equatable {
    public var id: String
    /// `customer`: the id, or the expanded customer's id.
    public var customerID: String?
    public var status: SubscriptionStatus
    /// `items.data`. Stripe embeds the first page only (`items.has_more` then tells).
    public var items: [SubscriptionItem]
    public var itemsHaveMore: Bool
    /// Subscription-level `current_period_start`: up to 2025-02-24.acacia; nil from basil on,
    /// where each item carries its own (use `period(for:)`).
    public var currentPeriodStart: Int64?
    public var currentPeriodEnd: Int64?
    public var cancelAtPeriodEnd: Bool
    public var cancelAt: Int64?
    public var canceledAt: Int64?
    public var endedAt: Int64?
    /// `schedule`: the id, or the expanded schedule's id.
    public var scheduleID: String?
    /// Whether `pause_collection` is set (collection paused; the subscription stays active).
    public var isCollectionPaused: Bool
    public var billingCycleAnchor: Int64?
    public var created: Int64?
    /// `latest_invoice`: the id, or the expanded invoice's id.
    public var latestInvoiceID: String?
    public var metadata: [String: String]
    /// `billing_mode.type`; nil when the payload has no `billing_mode` (versions before it existed), which says nothing
    /// about the mode: a subscription nothing ever stated the mode of is billed in the classic mode.
    public var billingMode: BillingMode?

    /// Decodes a subscription object; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String = "data.object") throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.id = try fields.requiredString("id")
        self.customerID = try fields.expandableID("customer")
        self.status = SubscriptionStatus(rawValue: try fields.requiredString("status"))
        let list = try fields.object("items")
        var items: [SubscriptionItem] = []
        for element in try list?.array("data") ?? [] {
            items.append(try SubscriptionItem(element.value, eventID: eventID, path: element.path))
        }
        self.items = items
        self.itemsHaveMore = try list?.bool("has_more") ?? false
        self.currentPeriodStart = try fields.int64("current_period_start")
        self.currentPeriodEnd = try fields.int64("current_period_end")
        self.cancelAtPeriodEnd = try fields.bool("cancel_at_period_end") ?? false
        self.cancelAt = try fields.int64("cancel_at")
        self.canceledAt = try fields.int64("canceled_at")
        self.endedAt = try fields.int64("ended_at")
        self.scheduleID = try fields.expandableID("schedule")
        self.isCollectionPaused = fields.value("pause_collection") != nil
        self.billingCycleAnchor = try fields.int64("billing_cycle_anchor")
        self.created = try fields.int64("created")
        self.latestInvoiceID = try fields.expandableID("latest_invoice")
        self.metadata = try fields.stringMap("metadata")
        self.billingMode = try fields.object("billing_mode")?.string("type").map(BillingMode.init(rawValue:))
    }

    /// The subscription-level current period (acacia and earlier), when both bounds are present.
    public var currentPeriod: BillingPeriod? {
        BillingPeriod(start: currentPeriodStart, end: currentPeriodEnd)
    }

    /// The current period of `item`: its own from 2025-03-31.basil on, else the subscription's.
    public func period(for item: SubscriptionItem) -> BillingPeriod? {
        item.currentPeriod ?? currentPeriod
    }

    /// The item with id `itemID`, if the snapshot has it.
    public func item(id itemID: String) -> SubscriptionItem? {
        items.first { $0.id == itemID }
    }
}
