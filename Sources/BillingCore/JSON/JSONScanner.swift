/// A cursor over the raw bytes of a JSON document: the shared lexer of `JSONParser` and the
/// event envelope's hot path. It reads bytes through a pointer and an index and never copies.
///
/// The buffer must outlive the scanner; callers create it inside `withUnsafeBytes`.
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let end: Int
    var index: Int = 0

    /// `bytes` must not be empty (an empty buffer may have no base address).
    init(nonEmpty bytes: UnsafeRawBufferPointer) {
        // Reading bytes as UInt8 is always valid, whatever the buffer was bound to.
        self.base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        self.end = bytes.count
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < end {
            switch base[index] {
            case 0x20:
                index &+= 1
                skipSpaces()
            case 0x0A, 0x0D, 0x09:
                index &+= 1
            default:
                return
            }
        }
    }

    /// Skips a run of spaces eight at a time: pretty-printed payloads (Stripe's are) spend a
    /// good part of their bytes on indentation.
    @inline(__always)
    mutating func skipSpaces() {
        while index &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let other = word ^ 0x2020_2020_2020_2020
            if other != 0 {
                index &+= other.trailingZeroBitCount &>> 3
                return
            }
            index &+= 8
        }
    }

    /// The next byte without consuming it; the end of input is an error.
    @inline(__always)
    func peek() throws(JSONParseError) -> UInt8 {
        guard index < end else { throw JSONParseError(.unexpectedEndOfInput, at: end) }
        return base[index]
    }

    /// Consumes `expected` or fails with the byte found instead.
    @inline(__always)
    mutating func consume(_ expected: UInt8) throws(JSONParseError) {
        let found = try peek()
        guard found == expected else { throw JSONParseError(.unexpectedByte(found), at: index) }
        index &+= 1
    }

    /// Fails unless only whitespace is left: RFC 8259 allows exactly one value per document.
    mutating func expectEndOfInput() throws(JSONParseError) {
        skipWhitespace()
        guard index == end else { throw JSONParseError(.trailingGarbage, at: index) }
    }

    /// Checks the depth of a container about to open at `index`.
    @inline(__always)
    func checkDepth(_ depth: Int) throws(JSONParseError) {
        // The limit turns hostile nesting into an error long before recursion could exhaust the stack.
        guard depth <= JSONParser.maximumDepth else { throw JSONParseError(.nestingTooDeep, at: index) }
    }
}

extension JSONScanner {
    /// Consumes `{` and reports whether the object has members (then the cursor is at the first key).
    mutating func beginObject(depth: Int) throws(JSONParseError) -> Bool {
        try checkDepth(depth)
        index &+= 1
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index &+= 1
            return false
        }
        return true
    }

    /// Reads a member's key and its `:`, leaving the cursor at the value.
    mutating func readKey() throws(JSONParseError) -> JSONStringSpan {
        skipWhitespace()
        let found = try peek()
        guard found == UInt8(ascii: "\"") else { throw JSONParseError(.unexpectedByte(found), at: index) }
        let key = try scanString()
        skipWhitespace()
        try consume(UInt8(ascii: ":"))
        skipWhitespace()
        return key
    }

    /// After a member's value: consumes `,` (returns true, more members follow) or `}` (false).
    mutating func nextMember() throws(JSONParseError) -> Bool {
        try nextElement(closing: UInt8(ascii: "}"))
    }

    /// After an array element or member value: consumes `,` (true) or the closing bracket (false).
    @inline(__always)
    mutating func nextElement(closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        let found = try peek()
        index &+= 1
        if found == UInt8(ascii: ",") { return true }
        if found == closing { return false }
        throw JSONParseError(.unexpectedByte(found), at: index &- 1)
    }

    /// Validates and skips one value of any kind, without building anything.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        skipWhitespace()
        switch try peek() {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"):
            guard try beginObject(depth: depth &+ 1) else { return }
            repeat {
                _ = try readKey()
                try skipValue(depth: depth &+ 1)
            } while try nextMember()
        case UInt8(ascii: "["):
            try checkDepth(depth &+ 1)
            index &+= 1
            skipWhitespace()
            if try peek() == UInt8(ascii: "]") {
                index &+= 1
                return
            }
            repeat {
                try skipValue(depth: depth &+ 1)
            } while try nextElement(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "t"):
            try consumeTrue()
        case UInt8(ascii: "f"):
            try consumeFalse()
        case UInt8(ascii: "n"):
            try consumeNull()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        case let other:
            throw JSONParseError(.unexpectedByte(other), at: index)
        }
    }
}
