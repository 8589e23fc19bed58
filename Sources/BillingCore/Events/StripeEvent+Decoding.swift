extension StripeEvent {
    /// Decodes an already parsed event document. Checks fields in the same order as the envelope
    /// reader, so both report the same first error.
    public init(json: JSONValue) throws(EventDecodingError) {
        guard case .object = json else { throw .wrongType(nil, expected: "object", found: json.kindName) }
        let id = try JSONFields(json, path: "", eventID: nil).requiredString("id")
        let fields = try JSONFields(json, path: "", eventID: id)
        self.id = id
        self.type = try fields.requiredString("type")
        self.object = try fields.string("object") ?? "event"
        self.created = try Self.created(fields)
        self.apiVersion = try fields.string("api_version")
        self.livemode = try fields.bool("livemode") ?? false
        let account = try fields.string("account")
        let context = object == EventRouting.thinObject && account == nil ? try fields.string("context") : nil
        self.account = account ?? context
        let data = try fields.object("data")
        if object == EventRouting.thinObject {
            self.dataObject = json["data"]?["object"] ?? .null
        } else {
            guard let snapshot = data?.value("object") else { throw .missingField("data.object", eventID: id) }
            self.dataObject = snapshot
        }
        self.previousAttributes = data?.value("previous_attributes")
        self.request = try EventRequest(json["request"], eventID: id)
        self.pendingWebhooks = try fields.int64("pending_webhooks").map { Int(clamping: $0) }
        self.json = json
    }

    /// `created` in unix seconds: an integer in v1 events, an ISO-8601 string in v2 (thin) events.
    static func created(_ fields: JSONFields) throws(EventDecodingError) -> Int64 {
        guard let value = fields.value("created") else { throw .missingField("created", eventID: fields.eventID) }
        if let text = value.stringValue {
            return try EventCreated.text(text).unixSeconds(eventID: fields.eventID)
        }
        guard let seconds = value.int64Value else {
            throw .wrongType("created", expected: "integer", found: value.kindName, eventID: fields.eventID)
        }
        return seconds
    }

    /// The routing fields, computed from the decoded document with the envelope's rules.
    public var envelope: StripeEventEnvelope {
        let related = json["related_object"]
        let relatedType = related?["type"]?.stringValue
        let relatedID = related?["id"]?.stringValue
        // The envelope reads data.object only when `data` is an object, as here.
        let snapshot = json["data"]?["object"]
        let routingType = isThin ? relatedType : dataObjectType
        let routingID = isThin ? relatedID : dataObjectID
        return StripeEventEnvelope(
            id: id,
            object: object,
            type: type,
            apiVersion: apiVersion,
            created: created,
            livemode: livemode,
            account: account,
            dataObjectType: snapshot?["object"]?.stringValue,
            dataObjectID: snapshot?["id"]?.stringValue,
            subscriptionID: EventRouting.subscriptionID(
                objectType: routingType,
                objectID: routingID,
                subscriptionField: isThin ? nil : EventRouting.lenientID(snapshot?["subscription"]),
                parentSubscription: isThin ? nil : EventRouting.lenientID(snapshot?["parent"]?["subscription_details"]?["subscription"]),
                releasedSubscription: isThin ? nil : EventRouting.lenientID(snapshot?["released_subscription"])
            ),
            customerID: EventRouting.customerID(
                objectType: routingType,
                objectID: routingID,
                customerField: isThin ? nil : EventRouting.lenientID(snapshot?["customer"])
            ),
            relatedObjectType: relatedType,
            relatedObjectID: relatedID
        )
    }

    /// The subscription the event belongs to (see `StripeEventEnvelope.subscriptionID`).
    public var subscriptionID: String? { envelope.subscriptionID }

    /// The customer the event belongs to (see `StripeEventEnvelope.customerID`).
    public var customerID: String? { envelope.customerID }
}
