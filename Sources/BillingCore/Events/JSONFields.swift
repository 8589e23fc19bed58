/// Typed reads of one JSON object's members for the event views, producing errors that carry
/// the member's dotted path and the event id.
///
/// Optional readers treat absent and `null` alike (Stripe writes `null` for unset fields) and
/// throw only when a member has another JSON type, which means the payload is not what we think.
struct JSONFields {
    let object: JSONObject
    let path: String
    /// Nil only while the event's own id is being read.
    let eventID: String?

    init(_ json: JSONValue, path: String, eventID: String?) throws(EventDecodingError) {
        guard case .object(let object) = json else {
            throw json.isNull
                ? .missingField(path, eventID: eventID)
                : .wrongType(path, expected: "object", found: json.kindName, eventID: eventID)
        }
        self.object = object
        self.path = path
        self.eventID = eventID
    }

    func path(_ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// The member's value, or nil when it is absent or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func string(_ key: String) throws(EventDecodingError) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.stringValue else { throw wrongType(key, "string", value) }
        return string
    }

    func requiredString(_ key: String) throws(EventDecodingError) -> String {
        guard let string = try string(key) else { throw .missingField(path(key), eventID: eventID) }
        return string
    }

    func int64(_ key: String) throws(EventDecodingError) -> Int64? {
        guard let value = value(key) else { return nil }
        guard let integer = value.int64Value else { throw wrongType(key, "integer", value) }
        return integer
    }

    func requiredInt64(_ key: String) throws(EventDecodingError) -> Int64 {
        guard let integer = try int64(key) else { throw .missingField(path(key), eventID: eventID) }
        return integer
    }

    func bool(_ key: String) throws(EventDecodingError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.boolValue else { throw wrongType(key, "boolean", value) }
        return bool
    }

    /// A nested object, or nil when absent or `null`.
    func object(_ key: String) throws(EventDecodingError) -> JSONFields? {
        guard let value = value(key) else { return nil }
        return try JSONFields(value, path: path(key), eventID: eventID)
    }

    /// The elements of an array member with their paths (`items.data[3]`); empty when absent or `null`.
    func array(_ key: String) throws(EventDecodingError) -> [(value: JSONValue, path: String)] {
        guard let value = value(key) else { return [] }
        guard let array = value.arrayValue else { throw wrongType(key, "array", value) }
        let base = path(key)
        return array.enumerated().map { (value: $0.element, path: "\(base)[\($0.offset)]") }
    }

    /// An expandable reference: Stripe sends either the id string or, when expanded, the object
    /// itself, whose `id` is then required.
    func expandableID(_ key: String) throws(EventDecodingError) -> String? {
        guard let value = value(key) else { return nil }
        if let id = value.stringValue { return id }
        guard value.objectValue != nil else { throw wrongType(key, "string or object", value) }
        return try JSONFields(value, path: path(key), eventID: eventID).requiredString("id")
    }

    func requiredExpandableID(_ key: String) throws(EventDecodingError) -> String {
        guard let id = try expandableID(key) else { throw .missingField(path(key), eventID: eventID) }
        return id
    }

    /// A `metadata`-style map; Stripe only stores strings there, so other values are a type error.
    func stringMap(_ key: String) throws(EventDecodingError) -> [String: String] {
        guard let nested = try object(key) else { return [:] }
        var map: [String: String] = [:]
        for name in nested.object.keys {
            map[name] = try nested.string(name)
        }
        return map
    }

    private func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> EventDecodingError {
        .wrongType(path(key), expected: expected, found: value.kindName, eventID: eventID)
    }
}
