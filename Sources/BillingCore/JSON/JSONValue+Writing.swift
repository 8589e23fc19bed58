/// Writing JSON: the inverse of `JSONParser`, for documents built in code (tests, the demo, imports).
extension JSONValue {
    /// Compact JSON text with keys sorted, so the same value always gives the same bytes.
    public var serialized: String {
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

    /// `serialized` as UTF-8 bytes.
    public var serializedBytes: [UInt8] { Array(serialized.utf8) }

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
