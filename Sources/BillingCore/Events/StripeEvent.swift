/// A fully decoded Stripe event: the envelope fields plus the snapshot (`data.object`), the
/// previous attributes of `*.updated` events and the causing request.
public struct StripeEvent: Sendable, Equatable {
    public var id: String
    /// `object`: `event`, or `v2.core.event` for thin events.
    public var object: String
    public var type: String
    public var apiVersion: String?
    /// Unix seconds (thin events' ISO-8601 `created` converted).
    public var created: Int64
    public var livemode: Bool
    /// `account` of a Connect event (`context` for thin events).
    public var account: String?
    /// `data.object`, rendered in `apiVersion`; `.null` for thin events, which carry no snapshot.
    public var dataObject: JSONValue
    /// `data.previous_attributes` of `*.updated` events: the changed fields' old values.
    public var previousAttributes: JSONValue?
    public var request: EventRequest?
    public var pendingWebhooks: Int?
    /// The whole document, for views that need more than `data.object` (thin events).
    public var json: JSONValue

    /// Parses and decodes an event body.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(EventDecodingError) {
        let json: JSONValue
        do throws(JSONParseError) {
            json = try JSONParser.parse(bytes)
        } catch {
            throw .invalidJSON(error)
        }
        try self.init(json: json)
    }

    /// Parses and decodes an event body held in bytes such as `[UInt8]`, `ArraySlice<UInt8>` or `Data`.
    public init<Bytes: Collection<UInt8>>(parsing bytes: Bytes) throws(EventDecodingError) {
        self = try JSONParser.withContiguousBytes(bytes) { buffer throws(EventDecodingError) in
            try StripeEvent(parsing: buffer)
        }
    }

    /// Whether this is a thin (v2) event, which carries a reference instead of a snapshot.
    public var isThin: Bool {
        object == EventRouting.thinObject
    }

    /// `data.object.object`, e.g. `subscription`.
    public var dataObjectType: String? {
        dataObject["object"]?.stringValue
    }

    /// `data.object.id`; nil for `invoice.upcoming`.
    public var dataObjectID: String? {
        dataObject["id"]?.stringValue
    }
}
