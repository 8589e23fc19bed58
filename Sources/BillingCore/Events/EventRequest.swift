/// The API request that caused an event (`request`), if any; both ids may be null.
public struct EventRequest: Sendable, Equatable {
    /// `request.id`; null for events not caused by an API request (e.g. a renewal).
    public var id: String?
    /// `request.idempotency_key` of that request.
    public var idempotencyKey: String?

    public init(id: String?, idempotencyKey: String?) {
        self.id = id
        self.idempotencyKey = idempotencyKey
    }

    /// Decodes `request`: an object in API versions from 2017-05-25 on, a plain request id string before.
    init?(_ value: JSONValue?, eventID: String) throws(EventDecodingError) {
        guard let value, !value.isNull else { return nil }
        if let id = value.stringValue {
            self.init(id: id, idempotencyKey: nil)
            return
        }
        guard value.objectValue != nil else {
            throw .wrongType("request", expected: "object or string", found: value.kindName, eventID: eventID)
        }
        let fields = try JSONFields(value, path: "request", eventID: eventID)
        self.init(id: try fields.string("id"), idempotencyKey: try fields.string("idempotency_key"))
    }
}
