/// A top-level event field as the envelope reader found it, so that type errors are reported only
/// after the whole body proved to be valid JSON, and the last of duplicate keys wins (as in `JSONParser`).
enum EnvelopeSlot<Value> {
    case absent
    case null
    case value(Value)
    case wrongType(found: String)

    /// The value; `.missingField` when absent or null, `.wrongType` when of another type.
    func required(_ field: String, expected: String, eventID: String?) throws(EventDecodingError) -> Value {
        guard let value = try optional(field, expected: expected, eventID: eventID) else {
            throw .missingField(field, eventID: eventID)
        }
        return value
    }

    /// The value, nil when absent or null, `.wrongType` when of another type.
    func optional(_ field: String, expected: String, eventID: String?) throws(EventDecodingError) -> Value? {
        switch self {
        case .absent, .null: return nil
        case .value(let value): return value
        case .wrongType(let found): throw .wrongType(field, expected: expected, found: found, eventID: eventID)
        }
    }
}
