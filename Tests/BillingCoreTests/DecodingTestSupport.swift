import BillingCore
import Testing

/// One step of a path into a JSON document: an object key or an array index.
enum JSONPathStep: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)

    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }
}

extension JSONValue {
    /// A copy with the value at `path` replaced, or removed when `newValue` is nil.
    func replacing(_ path: [JSONPathStep], with newValue: JSONValue?) -> JSONValue {
        guard let step = path.first else { return newValue ?? .null }
        let rest = Array(path.dropFirst())
        switch (self, step) {
        case (.object(var object), .key(let key)):
            if rest.isEmpty, newValue == nil {
                object.removeValue(forKey: key)
            } else {
                object[key] = (object[key] ?? .object([:])).replacing(rest, with: newValue)
            }
            return .object(object)
        case (.array(var array), .index(let index)):
            if rest.isEmpty, newValue == nil {
                array.remove(at: index)
            } else {
                array[index] = array[index].replacing(rest, with: newValue)
            }
            return .array(array)
        default:
            Issue.record("path step \(step) does not fit a \(kindName)")
            return self
        }
    }
}

/// Decodes `bytes` with both the envelope and the full decoder and returns the error both
/// must agree on (recording an issue when one succeeds or they differ).
func agreedDecodingError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> EventDecodingError? {
    let envelopeError = #expect(throws: EventDecodingError.self, sourceLocation: sourceLocation) {
        try StripeEventEnvelope(parsing: bytes)
    }
    let eventError = #expect(throws: EventDecodingError.self, sourceLocation: sourceLocation) {
        try StripeEvent(parsing: bytes)
    }
    #expect(envelopeError == eventError, sourceLocation: sourceLocation)
    return eventError
}
