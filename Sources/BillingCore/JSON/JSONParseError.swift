/// Why and where a byte sequence is not a valid JSON document.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule a document broke.
    public enum Reason: Sendable, Equatable {
        case unexpectedEndOfInput
        /// A byte that cannot start or continue the value being read.
        case unexpectedByte(UInt8)
        /// Bytes after the single top-level value (other than whitespace).
        case trailingGarbage
        case leadingZero
        case invalidNumber
        /// A number whose magnitude overflows `Double` (RFC 8259 §6 lets parsers limit range).
        case numberOutOfRange
        case invalidEscape
        /// A `\uD800`–`\uDFFF` escape that is not part of a high+low surrogate pair.
        case loneSurrogate
        /// An unescaped byte below 0x20 inside a string.
        case controlCharacterInString
        case invalidUTF8
        /// Arrays and objects nested deeper than `JSONParser.maximumDepth`.
        case nestingTooDeep
    }

    public var reason: Reason
    /// Zero-based offset of the offending byte in the input.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        "\(reasonText) at byte \(offset)"
    }

    private var reasonText: String {
        switch reason {
        case .unexpectedEndOfInput: return "unexpected end of input"
        case .unexpectedByte(let byte): return "unexpected byte \(Self.show(byte))"
        case .trailingGarbage: return "unexpected data after the JSON value"
        case .leadingZero: return "number with a leading zero"
        case .invalidNumber: return "invalid number"
        case .numberOutOfRange: return "number out of range"
        case .invalidEscape: return "invalid escape sequence"
        case .loneSurrogate: return "unpaired UTF-16 surrogate escape"
        case .controlCharacterInString: return "unescaped control character in string"
        case .invalidUTF8: return "invalid UTF-8"
        case .nestingTooDeep: return "nesting deeper than \(JSONParser.maximumDepth)"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        // Printable ASCII is shown as itself; anything else as hex so logs stay one clean line.
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
