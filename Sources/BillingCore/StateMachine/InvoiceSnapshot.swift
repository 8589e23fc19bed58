/// An `invoice.*` event as the state machine sees it.
public struct InvoiceSnapshot: Sendable, Equatable {
    public var eventID: String
    public var created: Int64
    /// The invoice; its `id` is nil for `invoice.upcoming`.
    public var invoice: Invoice

    public init(eventID: String, created: Int64, invoice: Invoice) {
        self.eventID = eventID
        self.created = created
        self.invoice = invoice
    }

    /// Reads the invoice from a decoded event.
    public init(event: StripeEvent) throws(EventDecodingError) {
        guard case .invoice(let invoice) = try event.decodeObject() else {
            throw .wrongType("data.object.object", expected: "invoice", found: event.dataObjectType ?? "null", eventID: event.id)
        }
        self.init(eventID: event.id, created: event.created, invoice: invoice)
    }
}
