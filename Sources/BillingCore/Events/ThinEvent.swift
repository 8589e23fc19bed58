/// A thin (v2) event (`object: "v2.core.event"`, e.g. `v1.billing.meter.error_report_triggered`):
/// an unversioned reference to the object that changed instead of a snapshot.
public struct ThinEvent: Sendable, Equatable {
    /// `related_object`: what the event is about, to fetch from the API if needed.
    public struct RelatedObject: Sendable, Equatable {
        public var id: String
        /// e.g. `billing.meter`.
        public var type: String
        public var url: String?

        public init(id: String, type: String, url: String? = nil) {
            self.id = id
            self.type = type
            self.url = url
        }
    }

    public var id: String
    public var type: String
    /// `created`, an ISO-8601 date-time in v2, as unix seconds.
    public var created: Int64
    public var livemode: Bool
    /// `context`: the connected account the event belongs to, if any.
    public var context: String?
    public var relatedObject: RelatedObject?
    /// `data`, when the payload carries one (fetched v2 events do; notifications usually not).
    public var data: JSONValue?

    /// Decodes a whole thin event (the root object, not `data`).
    public init(_ json: JSONValue, eventID: String) throws(EventDecodingError) {
        let fields = try JSONFields(json, path: "", eventID: eventID)
        self.id = try fields.requiredString("id")
        self.type = try fields.requiredString("type")
        self.created = try StripeEvent.created(fields)
        self.livemode = try fields.bool("livemode") ?? false
        self.context = try fields.string("context")
        if let related = try fields.object("related_object") {
            self.relatedObject = RelatedObject(
                id: try related.requiredString("id"),
                type: try related.requiredString("type"),
                url: try related.string("url")
            )
        } else {
            self.relatedObject = nil
        }
        self.data = fields.value("data")
    }
}
