/// The fields of a Stripe event needed to store and route it, read on the webhook hot path
/// without building the document (the whole body is still validated, UTF-8 included).
public struct StripeEventEnvelope: Sendable, Equatable {
    public var id: String
    /// `object`: `event`, or `v2.core.event` for thin events.
    public var object: String
    public var type: String
    /// `api_version` that rendered `data.object`; absent in very old payloads and in thin events.
    public var apiVersion: String?
    /// `created` in unix seconds; thin events send an ISO-8601 string, converted here.
    public var created: Int64
    /// `livemode`; false when absent.
    public var livemode: Bool
    /// `account` of a Connect event (`context` for thin events).
    public var account: String?
    /// `data.object.object`, e.g. `subscription`, `invoice`, `subscription_schedule`.
    public var dataObjectType: String?
    /// `data.object.id`; nil for `invoice.upcoming`, whose invoice has no id yet.
    public var dataObjectID: String?
    /// The subscription the event belongs to (see `EventRouting`), the key for in-order processing.
    public var subscriptionID: String?
    /// `data.object.customer` (string or expanded object's id), or a customer object's own id.
    public var customerID: String?
    /// Thin events: `related_object.type` and `related_object.id`.
    public var relatedObjectType: String?
    public var relatedObjectID: String?

    public init(
        id: String,
        object: String = "event",
        type: String,
        apiVersion: String? = nil,
        created: Int64,
        livemode: Bool = false,
        account: String? = nil,
        dataObjectType: String? = nil,
        dataObjectID: String? = nil,
        subscriptionID: String? = nil,
        customerID: String? = nil,
        relatedObjectType: String? = nil,
        relatedObjectID: String? = nil
    ) {
        self.id = id
        self.object = object
        self.type = type
        self.apiVersion = apiVersion
        self.created = created
        self.livemode = livemode
        self.account = account
        self.dataObjectType = dataObjectType
        self.dataObjectID = dataObjectID
        self.subscriptionID = subscriptionID
        self.customerID = customerID
        self.relatedObjectType = relatedObjectType
        self.relatedObjectID = relatedObjectID
    }

    /// Validates the whole body and reads the envelope. Fails with `.invalidJSON` for anything
    /// that is not strict JSON, `.missingField("id")`/`("type")`/`("created")` when those are
    /// absent, and `.wrongType` when a top-level field has the wrong type. Routing fields under
    /// `data.object` of an unexpected shape are nil rather than errors.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(EventDecodingError) {
        self = try EnvelopeReader.read(bytes)
    }

    /// Reads the envelope from bytes such as `[UInt8]`, `ArraySlice<UInt8>` or `Data`.
    public init<Bytes: Collection<UInt8>>(parsing bytes: Bytes) throws(EventDecodingError) {
        self = try JSONParser.withContiguousBytes(bytes) { buffer throws(EventDecodingError) in
            try EnvelopeReader.read(buffer)
        }
    }

    /// Whether this is a thin (v2) event, which carries a reference instead of a snapshot.
    public var isThin: Bool {
        object == EventRouting.thinObject
    }
}
