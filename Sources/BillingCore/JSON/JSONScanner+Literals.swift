/// The three JSON literals, compared a word at a time on the hot path.
extension JSONScanner {
    /// Reads `null`, `true` or the first four bytes of `false` as one little-endian word.
    @inline(__always)
    func fourBytes() -> UInt32? {
        guard index &+ 4 <= end else { return nil }
        return UInt32(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt32.self))
    }

    /// Consumes `null` (the most common Stripe value), falling back to the checked path for errors.
    @inline(__always)
    mutating func consumeNull() throws(JSONParseError) {
        if fourBytes() == 0x6C6C_756E {  // "null"
            index &+= 4
        } else {
            try consumeLiteral("null")
        }
    }

    @inline(__always)
    mutating func consumeTrue() throws(JSONParseError) {
        if fourBytes() == 0x6575_7274 {  // "true"
            index &+= 4
        } else {
            try consumeLiteral("true")
        }
    }

    @inline(__always)
    mutating func consumeFalse() throws(JSONParseError) {
        if fourBytes() == 0x736C_6166, index &+ 4 < end, base[index &+ 4] == UInt8(ascii: "e") {  // "fals" + "e"
            index &+= 5
        } else {
            try consumeLiteral("false")
        }
    }

    /// Consumes `true`, `false` or `null` byte by byte, reporting exactly where it goes wrong.
    mutating func consumeLiteral(_ literal: StaticString) throws(JSONParseError) {
        let bytes = literal.utf8Start
        for offset in 0..<literal.utf8CodeUnitCount {
            let position = index &+ offset
            guard position < end else { throw JSONParseError(.unexpectedEndOfInput, at: end) }
            let found = base[position]
            guard found == bytes[offset] else { throw JSONParseError(.unexpectedByte(found), at: position) }
        }
        index &+= literal.utf8CodeUnitCount
    }
}
