/// A strict RFC 8259 JSON parser over raw bytes: one value per document, valid UTF-8 only,
/// no extensions (comments, trailing commas, NaN, leading zeros), nesting at most `maximumDepth`.
public enum JSONParser {
    /// Deepest nesting of arrays and objects accepted; deeper input is an error, never a stack overflow.
    public static let maximumDepth = 256

    /// Parses a complete document.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        guard !bytes.isEmpty else { throw JSONParseError(.unexpectedEndOfInput, at: 0) }
        var scanner = JSONScanner(nonEmpty: bytes)
        let value = try scanner.parseValue(depth: 0)
        try scanner.expectEndOfInput()
        return value
    }

    /// Parses a complete document from bytes such as `[UInt8]`, `ArraySlice<UInt8>` or `Data`.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue {
        try withContiguousBytes(bytes) { buffer throws(JSONParseError) in try parse(buffer) }
    }

    /// Parses a document held in a `String` (its UTF-8 form).
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        // A native string's UTF-8 view is contiguous, so this does not copy.
        try parse(text.utf8)
    }

    /// Runs `body` over contiguous bytes, copying only collections that are not already contiguous.
    static func withContiguousBytes<Bytes: Collection<UInt8>, Result, Failure: Error>(
        _ bytes: Bytes,
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // withContiguousStorageIfAvailable takes an untyped-throwing closure, so the typed error
        // travels out through a Swift.Result.
        let direct: Swift.Result<Result, Failure>? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(Failure) {
                return .success(try body(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        if let direct { return try direct.get() }
        let copy = Array(bytes)
        var outcome: Swift.Result<Result, Failure>?
        copy.withUnsafeBytes { buffer in
            do throws(Failure) {
                outcome = .success(try body(buffer))
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome!.get()
    }
}

extension JSONScanner {
    /// Parses one value starting at the cursor (after optional whitespace); `depth` counts the
    /// containers already open around it.
    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        switch try peek() {
        case UInt8(ascii: "\""):
            return .string(makeString(try scanString()))
        case UInt8(ascii: "{"):
            return .object(try parseObject(depth: depth &+ 1))
        case UInt8(ascii: "["):
            return .array(try parseArray(depth: depth &+ 1))
        case UInt8(ascii: "t"):
            try consumeTrue()
            return .bool(true)
        case UInt8(ascii: "f"):
            try consumeFalse()
            return .bool(false)
        case UInt8(ascii: "n"):
            try consumeNull()
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try makeNumber(try scanNumber())
        case let other:
            throw JSONParseError(.unexpectedByte(other), at: index)
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        var object = JSONObject()
        guard try beginObject(depth: depth) else { return object }
        repeat {
            let key = makeString(try readKey())
            object[key] = try parseValue(depth: depth)
        } while try nextMember()
        return object
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        try checkDepth(depth)
        index &+= 1
        skipWhitespace()
        var array: [JSONValue] = []
        if try peek() == UInt8(ascii: "]") {
            index &+= 1
            return array
        }
        repeat {
            array.append(try parseValue(depth: depth))
        } while try nextElement(closing: UInt8(ascii: "]"))
        return array
    }
}
