/// Writes an `Encodable` value whose encoding is one flat keyed object of strings, integers and booleans (such as
/// `BillingAction`) as compact JSON with sorted keys: the bytes Foundation's `JSONEncoder` writes with `.sortedKeys`
/// and `.withoutEscapingSlashes`, in a fraction of its time (BENCHMARKS.md, "Outbox payload encoding"). The value's
/// Codable conformance stays the one definition of its layout; this is only a faster writer for it.
public enum FlatJSONEncoder {
    /// A value the encoder cannot write flat: a nested object or array, a floating-point number or a null.
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String
    }

    /// The value's JSON bytes.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let fields = FieldBox()
        try value.encode(to: ObjectEncoder(fields: fields))
        var out: [UInt8] = []
        out.reserveCapacity(32 * fields.items.count + 2)
        out.append(UInt8(ascii: "{"))
        for (index, field) in fields.items.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(field.key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch field.value {
            case .string(let text): appendQuoted(text, to: &out)
            case .integer(let number): out.append(contentsOf: String(number).utf8)
            case .boolean(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string as `JSONEncoder` writes it: quote and backslash escaped, control characters as the short escapes
    /// or `\u00xx`, everything else (slashes and non-ASCII included) as it is.
    static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(contentsOf: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// One field's value.
private enum Scalar {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
}

/// The fields written so far, shared by the encoder and its container (Codable hands containers out by value).
private final class FieldBox {
    var items: [(key: String, value: Scalar)] = []
}

/// The top-level encoder: it hands out the one keyed container.
private struct ObjectEncoder: Encoder {
    let fields: FieldBox
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(FieldContainer<Key>(fields: fields))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { preconditionFailure("Invalid use: FlatJSONEncoder writes objects only") }
    func singleValueContainer() -> any SingleValueEncodingContainer { preconditionFailure("Invalid use: FlatJSONEncoder writes objects only") }
}

/// The object's fields, as scalars.
private struct FieldContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let fields: FieldBox
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { throw FlatJSONEncoder.Unsupported(description: "null at \(key.stringValue)") }
    mutating func encode(_ value: Bool, forKey key: Key) throws { fields.items.append((key.stringValue, .boolean(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { fields.items.append((key.stringValue, .string(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { fields.items.append((key.stringValue, .integer(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encode(Int64(value), forKey: key) }

    mutating func encode(_ value: Double, forKey key: Key) throws { throw unsupported("a floating-point number", key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw unsupported("a floating-point number", key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encode(try exact(value, key), forKey: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(try exact(value, key), forKey: key) }

    /// Any other value must encode itself as one scalar (a `RawRepresentable` enum does).
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        let scalar = ScalarEncoder()
        try value.encode(to: scalar)
        guard let written = scalar.box.value else { throw unsupported("a value that writes no scalar", key) }
        fields.items.append((key.stringValue, written))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure("Invalid use: FlatJSONEncoder writes flat objects only (\(key.stringValue))")
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        preconditionFailure("Invalid use: FlatJSONEncoder writes flat objects only (\(key.stringValue))")
    }

    mutating func superEncoder() -> any Encoder { preconditionFailure("Invalid use: FlatJSONEncoder writes flat objects only") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure("Invalid use: FlatJSONEncoder writes flat objects only") }

    private func unsupported(_ what: String, _ key: Key) -> FlatJSONEncoder.Unsupported {
        FlatJSONEncoder.Unsupported(description: "\(what) at \(key.stringValue)")
    }

    private func exact<T: FixedWidthInteger>(_ value: T, _ key: Key) throws -> Int64 {
        guard let exact = Int64(exactly: value) else { throw unsupported("an integer beyond Int64", key) }
        return exact
    }
}

/// Where a field's own `encode(to:)` writes its one scalar.
private final class ScalarBox {
    var value: Scalar?
}

/// The encoder a field's value writes itself to: only a single value.
private struct ScalarEncoder: Encoder, SingleValueEncodingContainer {
    let box = ScalarBox()
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        preconditionFailure("Invalid use: FlatJSONEncoder writes flat objects only")
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { preconditionFailure("Invalid use: FlatJSONEncoder writes flat objects only") }
    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    mutating func encodeNil() throws { throw FlatJSONEncoder.Unsupported(description: "null") }
    mutating func encode(_ value: Bool) throws { box.value = .boolean(value) }
    mutating func encode(_ value: String) throws { box.value = .string(value) }
    mutating func encode(_ value: Int64) throws { box.value = .integer(value) }
    mutating func encode(_ value: Int) throws { box.value = .integer(Int64(value)) }
    mutating func encode(_ value: Double) throws { throw FlatJSONEncoder.Unsupported(description: "a floating-point number") }
    mutating func encode(_ value: Float) throws { throw FlatJSONEncoder.Unsupported(description: "a floating-point number") }
    mutating func encode(_ value: Int8) throws { box.value = .integer(Int64(value)) }
    mutating func encode(_ value: Int16) throws { box.value = .integer(Int64(value)) }
    mutating func encode(_ value: Int32) throws { box.value = .integer(Int64(value)) }
    mutating func encode(_ value: UInt) throws { box.value = .integer(try Self.exact(value)) }
    mutating func encode(_ value: UInt8) throws { box.value = .integer(Int64(value)) }
    mutating func encode(_ value: UInt16) throws { box.value = .integer(Int64(value)) }
    mutating func encode(_ value: UInt32) throws { box.value = .integer(Int64(value)) }
    mutating func encode(_ value: UInt64) throws { box.value = .integer(try Self.exact(value)) }
    mutating func encode(_ value: some Encodable) throws { try value.encode(to: self) }

    private static func exact<T: FixedWidthInteger>(_ value: T) throws -> Int64 {
        guard let exact = Int64(exactly: value) else { throw FlatJSONEncoder.Unsupported(description: "an integer beyond Int64") }
        return exact
    }
}
