/// The bytes of a scanned number; `isInteger` when it has neither fraction nor exponent.
struct JSONNumberSpan {
    var start: Int
    var end: Int
    var isInteger: Bool
}

extension JSONScanner {
    /// Scans a number with RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func scanNumber() throws(JSONParseError) -> JSONNumberSpan {
        let start = index
        var isInteger = true
        if base[index] == UInt8(ascii: "-") { index &+= 1 }
        let firstDigit = try peek()
        if firstDigit == UInt8(ascii: "0") {
            index &+= 1
            if index < end, Self.isDigit(base[index]) { throw JSONParseError(.leadingZero, at: index &- 1) }
        } else if Self.isDigit(firstDigit) {
            skipDigits()
        } else {
            throw JSONParseError(.invalidNumber, at: index)
        }
        if index < end, base[index] == UInt8(ascii: ".") {
            isInteger = false
            index &+= 1
            try requireDigits()
        }
        if index < end, base[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index &+= 1
            if index < end, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index &+= 1 }
            try requireDigits()
        }
        return JSONNumberSpan(start: start, end: index, isInteger: isInteger)
    }

    /// Converts a scanned number: `.int` when it is an integer that fits in `Int64`, else `.double`.
    func makeNumber(_ span: JSONNumberSpan) throws(JSONParseError) -> JSONValue {
        if span.isInteger, let integer = makeInt64(span) { return .int(integer) }
        let text = String(decoding: UnsafeBufferPointer(start: base + span.start, count: span.end &- span.start), as: UTF8.self)
        // The grammar is already checked, so the standard library's strtod-based parser sees only JSON numbers.
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(.numberOutOfRange, at: span.start)
        }
        return .double(value)
    }

    /// The integer value of a scanned integer literal, or nil when it overflows `Int64`.
    func makeInt64(_ span: JSONNumberSpan) -> Int64? {
        var position = span.start
        let negative = base[position] == UInt8(ascii: "-")
        if negative { position &+= 1 }
        // Accumulate negatively so that Int64.min, whose magnitude has no positive Int64, parses too.
        var value: Int64 = 0
        if span.end &- position <= 18 {
            while position < span.end {
                value = value &* 10 &- Int64(base[position] &- UInt8(ascii: "0"))
                position &+= 1
            }
        } else {
            while position < span.end {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.subtractingReportingOverflow(Int64(base[position] &- UInt8(ascii: "0")))
                if overflow || overflow2 { return nil }
                value = sum
                position &+= 1
            }
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    private mutating func skipDigits() {
        while index < end, Self.isDigit(base[index]) { index &+= 1 }
    }

    private mutating func requireDigits() throws(JSONParseError) {
        guard Self.isDigit(try peek()) else { throw JSONParseError(.invalidNumber, at: index) }
        skipDigits()
    }
}
