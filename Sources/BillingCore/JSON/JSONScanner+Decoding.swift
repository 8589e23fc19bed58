extension JSONScanner {
    /// Builds the `String` of a scanned (hence already validated) string literal.
    func makeString(_ span: JSONStringSpan) -> String {
        let bytes = UnsafeBufferPointer(start: base + span.start, count: span.end &- span.start)
        guard span.hasEscapes else {
            // Fast path: one copy of bytes that scanString has already proven to be valid UTF-8.
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: bytes.count) { output in
            unescape(bytes, into: output)
        }
    }

    /// Compares a scanned string with ASCII `literal` without allocating.
    @inline(__always)
    func string(_ span: JSONStringSpan, equals literal: StaticString) -> Bool {
        if span.hasEscapes {
            // Escaped keys are legal JSON ("\u0069d" is "id") but never sent by Stripe: take the slow path.
            return makeString(span) == literal.description
        }
        let count = span.end &- span.start
        guard count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for offset in 0..<count where base[span.start &+ offset] != expected[offset] {
            return false
        }
        return true
    }

    /// Writes the unescaped UTF-8 of a validated literal; returns the number of bytes written.
    /// The output never outgrows the input: every escape is at least as long as its UTF-8.
    private func unescape(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var read = 0
        var written = 0
        while read < input.count {
            let byte = input[read]
            guard byte == UInt8(ascii: "\\") else {
                output[written] = byte
                written &+= 1
                read &+= 1
                continue
            }
            let escaped = input[read &+ 1]
            read &+= 2
            let simple: UInt8
            switch escaped {
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"):
                var scalar = UInt32(Self.hexValue(input, at: read))
                read &+= 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // scanString guaranteed the low half follows as "\uXXXX".
                    let low = UInt32(Self.hexValue(input, at: read &+ 2))
                    read &+= 6
                    scalar = 0x10000 &+ ((scalar &- 0xD800) &<< 10) &+ (low &- 0xDC00)
                }
                for unit in UTF8.encode(Unicode.Scalar(scalar)!)! {
                    output[written] = unit
                    written &+= 1
                }
                continue
            default: simple = escaped  // \" \\ and \/ stand for themselves
            }
            output[written] = simple
            written &+= 1
        }
        return written
    }

    private static func hexValue(_ input: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = input[position &+ offset]
            let digit = byte <= UInt8(ascii: "9") ? byte &- UInt8(ascii: "0") : (byte | 0x20) &- UInt8(ascii: "a") &+ 10
            value = value &<< 4 | UInt16(digit)
        }
        return value
    }
}
