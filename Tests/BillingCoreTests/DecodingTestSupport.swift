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

    /// Compact JSON text, enough to feed edited documents back to the parsers (test use only).
    var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return "\(value)"
        case .string(let value): return Self.quote(value)
        case .array(let array): return "[" + array.map(\.serialized).joined(separator: ",") + "]"
        case .object(let object):
            return "{" + object.sorted { $0.key < $1.key }.map { Self.quote($0.key) + ":" + $0.value.serialized }
                .joined(separator: ",") + "}"
        }
    }

    var serializedBytes: [UInt8] { Array(serialized.utf8) }

    private static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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
