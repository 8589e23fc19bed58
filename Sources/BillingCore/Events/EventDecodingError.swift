/// Why an event could not be decoded, naming the dotted field path and the event id.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The body is not a valid JSON document (`parseError` says where).
        case invalidJSON
        /// A required field is absent or `null`.
        case missingField
        /// A field holds a value of another JSON type than the one expected.
        case wrongType
        /// A field has the right type but an unusable value (e.g. a malformed date-time).
        case invalidValue
    }

    public var code: Code
    /// Dotted path of the field, e.g. `data.object.items.data[0].price.id`; nil for the document itself.
    public var field: String?
    /// The event's id when it is known.
    public var eventID: String?
    /// What was expected, for `wrongType` and `invalidValue` ("string", "ISO-8601 date-time", …).
    public var expected: String?
    /// What was found instead, for `wrongType` ("number", "object", …).
    public var found: String?
    /// The parser's error, for `invalidJSON`.
    public var parseError: JSONParseError?

    public init(
        code: Code,
        field: String? = nil,
        eventID: String? = nil,
        expected: String? = nil,
        found: String? = nil,
        parseError: JSONParseError? = nil
    ) {
        self.code = code
        self.field = field
        self.eventID = eventID
        self.expected = expected
        self.found = found
        self.parseError = parseError
    }

    public static func invalidJSON(_ error: JSONParseError) -> Self {
        Self(code: .invalidJSON, parseError: error)
    }

    public static func missingField(_ field: String, eventID: String? = nil) -> Self {
        Self(code: .missingField, field: field, eventID: eventID)
    }

    public static func wrongType(_ field: String?, expected: String, found: String, eventID: String? = nil) -> Self {
        Self(code: .wrongType, field: field, eventID: eventID, expected: expected, found: found)
    }

    public static func invalidValue(_ field: String, expected: String, eventID: String? = nil) -> Self {
        Self(code: .invalidValue, field: field, eventID: eventID, expected: expected)
    }

    /// One line for logs and the `failed` status of a stored event,
    /// e.g. `event evt_123: missing field data.object.items.data[0].price.id`.
    public var description: String {
        let subject = field ?? "the event"
        let detail: String
        switch code {
        case .invalidJSON:
            detail = "invalid JSON: " + (parseError.map { "\($0)" } ?? "unknown error")
        case .missingField:
            detail = "missing field \(subject)"
        case .wrongType:
            detail = "wrong type for \(subject): expected \(expected ?? "?"), found \(found ?? "?")"
        case .invalidValue:
            detail = "invalid value for \(subject): expected \(expected ?? "?")"
        }
        guard let eventID else { return detail }
        return "event \(eventID): \(detail)"
    }
}
