/// The bytes of a scanned string literal between its quotes; `hasEscapes` selects the slow decode.
struct JSONStringSpan {
    var start: Int
    var end: Int
    var hasEscapes: Bool
}

extension JSONScanner {
    /// Scans a string literal starting at the opening quote, validating escapes and UTF-8, and
    /// leaves the cursor after the closing quote.
    mutating func scanString() throws(JSONParseError) -> JSONStringSpan {
        let start = index &+ 1
        var position = start
        var hasEscapes = false
        while true {
            // Eight bytes at a time while none of them needs a closer look (the common case for
            // ids, keys and enum values, plain ASCII without escapes), then straight to the first
            // byte that does.
            while position &+ 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let mask = Self.attentionMask(word)
                if mask != 0 {
                    position &+= mask.trailingZeroBitCount &>> 3
                    break
                }
                position &+= 8
            }
            guard position < end else { throw JSONParseError(.unexpectedEndOfInput, at: end) }
            let byte = base[position]
            if byte == UInt8(ascii: "\"") {
                index = position &+ 1
                return JSONStringSpan(start: start, end: position, hasEscapes: hasEscapes)
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                position = try validateEscape(at: position)
            } else if byte < 0x20 {
                throw JSONParseError(.controlCharacterInString, at: position)
            } else if byte < 0x80 {
                position &+= 1
            } else {
                position = try validateUTF8Sequence(at: position)
            }
        }
    }

    /// The high bit of each byte of a little-endian word that is a quote, a backslash, a control
    /// byte or non-ASCII. Bytes above the first flagged one may be flagged spuriously (borrows of
    /// the "has a zero byte" trick, Hacker's Delight 6-1), so only the lowest flag is exact.
    @inline(__always)
    static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & highs
    }

    /// Validates the escape at `position` (a backslash); returns the index after it.
    mutating func validateEscape(at position: Int) throws(JSONParseError) -> Int {
        guard position &+ 1 < end else { throw JSONParseError(.unexpectedEndOfInput, at: end) }
        switch base[position &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return position &+ 2
        case UInt8(ascii: "u"):
            let unit = try hexQuad(at: position &+ 2, escapeAt: position)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate is only valid when a low surrogate escape follows at once.
                let next = position &+ 6
                guard next &+ 1 < end, base[next] == UInt8(ascii: "\\"), base[next &+ 1] == UInt8(ascii: "u") else {
                    throw JSONParseError(.loneSurrogate, at: position)
                }
                let low = try hexQuad(at: next &+ 2, escapeAt: next)
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONParseError(.loneSurrogate, at: position) }
                return next &+ 6
            case 0xDC00...0xDFFF:
                throw JSONParseError(.loneSurrogate, at: position)
            default:
                return position &+ 6
            }
        default:
            throw JSONParseError(.invalidEscape, at: position)
        }
    }

    /// Reads the four hex digits of a `\u` escape.
    func hexQuad(at position: Int, escapeAt escape: Int) throws(JSONParseError) -> UInt16 {
        guard position &+ 4 <= end else { throw JSONParseError(.unexpectedEndOfInput, at: end) }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = base[position &+ offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw JSONParseError(.invalidEscape, at: escape)
            }
            value = value &<< 4 | UInt16(digit)
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence starting at `position` (Unicode 15, table 3-7:
    /// no overlong forms, no surrogates, nothing above U+10FFFF); returns the index after it.
    func validateUTF8Sequence(at position: Int) throws(JSONParseError) -> Int {
        let lead = base[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw JSONParseError(.invalidUTF8, at: position)
        }
        guard position &+ length <= end else { throw JSONParseError(.invalidUTF8, at: position) }
        guard secondRange.contains(base[position &+ 1]) else { throw JSONParseError(.invalidUTF8, at: position) }
        for offset in 2..<max(length, 2) where base[position &+ offset] & 0xC0 != 0x80 {
            throw JSONParseError(.invalidUTF8, at: position)
        }
        return position &+ length
    }
}
