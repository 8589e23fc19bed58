/// Decoded `application/x-www-form-urlencoded` parameters in Stripe's bracket notation
/// (`payload[value]=3`, `expand[]=x`), kept flat and in the order they were sent.
public struct FormParameters: Sendable, Equatable {
    /// `(name, value)` pairs, names decoded (`payload[value]`), in request order.
    public var pairs: [(name: String, value: String)]

    public init(pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    public static func == (lhs: FormParameters, rhs: FormParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The last value sent for `name` (Rack, which parses Stripe's bodies, keeps the last one).
    public subscript(name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// Parses a query string or form body. Returns nil when a percent escape is malformed or not UTF-8.
    public init?(urlEncoded text: Substring) {
        var pairs: [(name: String, value: String)] = []
        for field in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty else { return nil }
            guard let value = parts.count > 1 ? Self.decode(parts[1]) : "" else { return nil }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    /// The identity of a request's parameters for idempotency: Stripe compares the parameters
    /// of a retried request with the first one's, whatever order they were sent in.
    var fingerprint: [String] {
        pairs.map { "\($0.name)=\($0.value)" }.sorted()
    }

    /// `+` is a space and `%XX` a byte, as HTML forms and every Stripe SDK encode them.
    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
