/// An invoice snapshot (`data.object` of `invoice.*`), read from both the acacia-and-earlier and
/// the basil-and-later shapes.
public struct Invoice: Sendable, Equatable {
    /// Nil for `invoice.upcoming`, whose invoice does not exist yet.
    public var id: String?
    public var status: InvoiceStatus?
    public var billingReason: InvoiceBillingReason?
    /// `subscription` (acacia and earlier) or `parent.subscription_details.subscription` (basil).
    public var subscriptionID: String?
    /// `customer`: the id, or the expanded customer's id.
    public var customerID: String?
    /// `period_start`/`period_end`: for a renewal (`subscription_cycle`) the period that ended.
    public var periodStart: Int64?
    public var periodEnd: Int64?
    public var created: Int64?
    /// `lines.data`. Stripe embeds the first page only (`linesHaveMore` then tells).
    public var lines: [InvoiceLine]
    public var linesHaveMore: Bool
    /// `status_transitions.finalized_at`.
    public var finalizedAt: Int64?
    /// `automatically_finalizes_at` (from 2024-09-30.acacia): when Stripe will finalize the draft; nil once it is
    /// finalized or when no automatic finalization is scheduled.
    public var automaticallyFinalizesAt: Int64?

    /// Decodes an invoice object; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String = "data.object") throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.id = try fields.string("id")
        self.status = try fields.string("status").map(InvoiceStatus.init(rawValue:))
        self.billingReason = try fields.string("billing_reason").map(InvoiceBillingReason.init(rawValue:))
        let basilSubscription = try fields.object("parent")?.object("subscription_details")?.expandableID("subscription")
        let subscription = try fields.expandableID("subscription")
        self.subscriptionID = subscription ?? basilSubscription
        self.customerID = try fields.expandableID("customer")
        self.periodStart = try fields.int64("period_start")
        self.periodEnd = try fields.int64("period_end")
        self.created = try fields.int64("created")
        let list = try fields.object("lines")
        var lines: [InvoiceLine] = []
        for element in try list?.array("data") ?? [] {
            lines.append(try InvoiceLine(element.value, eventID: eventID, path: element.path))
        }
        self.lines = lines
        self.linesHaveMore = try list?.bool("has_more") ?? false
        self.finalizedAt = try fields.object("status_transitions")?.int64("finalized_at")
        self.automaticallyFinalizesAt = try fields.int64("automatically_finalizes_at")
    }

    /// `period_start`…`period_end`, when both are present.
    public var period: BillingPeriod? {
        BillingPeriod(start: periodStart, end: periodEnd)
    }
}
