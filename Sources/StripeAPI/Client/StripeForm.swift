/// `application/x-www-form-urlencoded` parameters in Stripe's bracket notation, in the order added:
/// hashes as `payload[value]=3`, lists as `expand[0]=a`, nested to any depth, as Stripe's SDKs send them.
///
/// Names and values are percent-encoded byte by byte (UTF-8); only RFC 3986's unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`) stay literal, so brackets go out as `%5B`/`%5D` and a space as `%20`.
public struct StripeForm: Sendable, Equatable {
    /// A parameter value: a string, a hash of named values, or a list.
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case hash([(String, Value)])
        case list([Value])

        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.string(let left), .string(let right)): return left == right
            case (.hash(let left), .hash(let right)): return left.elementsEqual(right) { $0.0 == $1.0 && $0.1 == $1.1 }
            case (.list(let left), .list(let right)): return left == right
            default: return false
            }
        }
    }

    /// The flattened `(name, value)` pairs, names in bracket notation, not yet percent-encoded.
    public private(set) var pairs: [(name: String, value: String)] = []

    public init() {}

    public init(_ parameters: [(String, Value)]) {
        for (name, value) in parameters { append(name, value) }
    }

    public static func == (lhs: StripeForm, rhs: StripeForm) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    public var isEmpty: Bool { pairs.isEmpty }

    public mutating func append(_ name: String, _ value: String) {
        pairs.append((name, value))
    }

    /// Appends `value` under `name`, flattening hashes (`name[key]`) and lists (`name[index]`).
    public mutating func append(_ name: String, _ value: Value) {
        switch value {
        case .string(let text):
            pairs.append((name, text))
        case .hash(let members):
            for (key, member) in members { append("\(name)[\(key)]", member) }
        case .list(let elements):
            for (index, element) in elements.enumerated() { append("\(name)[\(index)]", element) }
        }
    }

    /// The encoded body or query string: `name=value&…`.
    public var encoded: String {
        pairs.map { Self.percentEncode($0.name) + "=" + Self.percentEncode($0.value) }.joined(separator: "&")
    }

    /// Percent-encodes every byte of the UTF-8 text except RFC 3986's unreserved characters.
    public static func percentEncode(_ text: String) -> String {
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

extension StripeForm.Value: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}
