/// The members of one usage record object, as sent: the five known fields, and the names of any others.
public struct UsageRecordFields: Sendable, Equatable {
    public var customer: JSONValue?
    public var metric: JSONValue?
    public var quantity: JSONValue?
    public var timestamp: JSONValue?
    public var id: JSONValue?
    /// Keys other than the five, in document order.
    public var unknownKeys: [String] = []

    public init() {}
}

/// A `POST /v1/usage` body, parsed just far enough to validate it: one record, or a batch under `records`.
public enum UsageDocument: Sendable, Equatable {
    /// A top-level object without `records`: a single record.
    case record(UsageRecordFields)
    /// A top-level object with `records`; `otherKeys` are the top-level keys beside it, in document order.
    case batch(records: UsageRecordsValue, otherKeys: [String])
    /// Any other top-level value.
    case other(JSONValue)
}

/// The value of `records`: an array of elements, or something else.
public enum UsageRecordsValue: Sendable, Equatable {
    case array([UsageRecordElement])
    case other(JSONValue)
}

/// One element of `records`: a record object, or something else.
public enum UsageRecordElement: Sendable, Equatable {
    case record(UsageRecordFields)
    case other(JSONValue)
}

/// Reads usage bodies straight from their bytes: the records' members go into fixed fields instead of a dictionary
/// per record, which is most of the cost of `JSONParser` on a 10,000-record batch. Same strictness as `JSONParser`
/// (RFC 8259, valid UTF-8, one value; a repeated key keeps its last value).
public enum UsageDocumentReader {
    /// Parses a complete document.
    public static func read(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> UsageDocument {
        guard !bytes.isEmpty else { throw JSONParseError(.unexpectedEndOfInput, at: 0) }
        var scanner = JSONScanner(nonEmpty: bytes)
        scanner.skipWhitespace()
        guard try scanner.peek() == UInt8(ascii: "{") else {
            let value = try scanner.parseValue(depth: 0)
            try scanner.expectEndOfInput()
            return .other(value)
        }
        var records: UsageRecordsValue?
        var fields = UsageRecordFields()
        var keys: [String] = []
        if try scanner.beginObject(depth: 1) {
            repeat {
                let key = try scanner.readKey()
                if scanner.string(key, equals: "records") {
                    records = try scanner.readRecords(depth: 1)
                } else {
                    let name = try scanner.readField(key, into: &fields, depth: 1)
                    keys.append(name)
                }
            } while try scanner.nextMember()
        }
        try scanner.expectEndOfInput()
        guard let records else { return .record(fields) }
        return .batch(records: records, otherKeys: keys)
    }

    /// Parses a complete document from bytes such as `[UInt8]`, `ArraySlice<UInt8>` or a `ByteBuffer`'s view.
    public static func read<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) -> UsageDocument {
        try JSONParser.withContiguousBytes(bytes) { buffer throws(JSONParseError) in try read(buffer) }
    }
}

extension JSONScanner {
    /// The value of `records`, the cursor at it; `depth` is that of the object holding it.
    fileprivate mutating func readRecords(depth: Int) throws(JSONParseError) -> UsageRecordsValue {
        guard try peek() == UInt8(ascii: "[") else { return .other(try parseValue(depth: depth)) }
        try checkDepth(depth &+ 1)
        index &+= 1
        skipWhitespace()
        var elements: [UsageRecordElement] = []
        if try peek() == UInt8(ascii: "]") {
            index &+= 1
            return .array(elements)
        }
        repeat {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "{") else {
                elements.append(.other(try parseValue(depth: depth &+ 1)))
                continue
            }
            var fields = UsageRecordFields()
            if try beginObject(depth: depth &+ 2) {
                repeat {
                    let key = try readKey()
                    _ = try readField(key, into: &fields, depth: depth &+ 2)
                } while try nextMember()
            }
            elements.append(.record(fields))
        } while try nextElement(closing: UInt8(ascii: "]"))
        return .array(elements)
    }

    /// Reads the value of member `key` into its field of `fields` (or notes an unknown key) and returns the key's name.
    fileprivate mutating func readField(_ key: JSONStringSpan, into fields: inout UsageRecordFields, depth: Int) throws(JSONParseError) -> String {
        // Compared as bytes: no String and no hashing for the five names every record repeats.
        if string(key, equals: "customer") {
            fields.customer = try parseValue(depth: depth)
            return "customer"
        } else if string(key, equals: "metric") {
            fields.metric = try parseValue(depth: depth)
            return "metric"
        } else if string(key, equals: "quantity") {
            fields.quantity = try parseValue(depth: depth)
            return "quantity"
        } else if string(key, equals: "timestamp") {
            fields.timestamp = try parseValue(depth: depth)
            return "timestamp"
        } else if string(key, equals: "id") {
            fields.id = try parseValue(depth: depth)
            return "id"
        }
        let name = makeString(key)
        try skipValue(depth: depth)
        fields.unknownKeys.append(name)
        return name
    }
}
