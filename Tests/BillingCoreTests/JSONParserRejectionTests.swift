import BillingCore
import Testing

/// Input the parser must reject, each with the reason and byte offset it reports.
struct JSONParserRejectionTests {
    static let cases: [(String, [UInt8], JSONParseError)] = [
        ("empty input", [], JSONParseError(.unexpectedEndOfInput, at: 0)),
        ("whitespace only", Array("  \n".utf8), JSONParseError(.unexpectedEndOfInput, at: 3)),
        ("trailing garbage", Array(#"{"a":1} x"#.utf8), JSONParseError(.trailingGarbage, at: 8)),
        ("two values", Array("1 2".utf8), JSONParseError(.trailingGarbage, at: 2)),
        ("garbage after a run of spaces", Array("1            x".utf8), JSONParseError(.trailingGarbage, at: 13)),
        ("truncated object", Array(#"{"a":"#.utf8), JSONParseError(.unexpectedEndOfInput, at: 5)),
        ("truncated string", Array(#"["abc"#.utf8), JSONParseError(.unexpectedEndOfInput, at: 5)),
        ("truncated literal", Array("[tru".utf8), JSONParseError(.unexpectedEndOfInput, at: 4)),
        ("misspelled literal", Array("nul1".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "1")), at: 3)),
        ("misspelled false", Array("falsy".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "y")), at: 4)),
        ("truncated false", Array("[fals".utf8), JSONParseError(.unexpectedEndOfInput, at: 5)),
        ("misspelled true", Array("[trUe]".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "U")), at: 3)),
        ("capitalised literal", Array("True".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "T")), at: 0)),
        ("leading zero", Array("01".utf8), JSONParseError(.leadingZero, at: 0)),
        ("negative leading zero", Array("[-012]".utf8), JSONParseError(.leadingZero, at: 2)),
        ("bare minus", Array("[-]".utf8), JSONParseError(.invalidNumber, at: 2)),
        ("plus sign", Array("+1".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "+")), at: 0)),
        ("leading dot", Array(".5".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: ".")), at: 0)),
        ("fraction without digits", Array("[1.]".utf8), JSONParseError(.invalidNumber, at: 3)),
        ("exponent without digits", Array("[1e+]".utf8), JSONParseError(.invalidNumber, at: 4)),
        ("NaN", Array("NaN".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "N")), at: 0)),
        ("number overflowing Double", Array("[1e400]".utf8), JSONParseError(.numberOutOfRange, at: 1)),
        ("trailing comma in array", Array("[1,]".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "]")), at: 3)),
        ("trailing comma in object", Array(#"{"a":1,}"#.utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "}")), at: 7)),
        ("missing colon", Array(#"{"a" 1}"#.utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "1")), at: 5)),
        ("unquoted key", Array("{a:1}".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "a")), at: 1)),
        ("single quotes", Array("['a']".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "'")), at: 1)),
        ("comment", Array("// x\n{}".utf8), JSONParseError(.unexpectedByte(UInt8(ascii: "/")), at: 0)),
        ("raw control character", Array("\"a\u{01}b\"".utf8), JSONParseError(.controlCharacterInString, at: 2)),
        ("raw tab in string", Array("\"a\tb\"".utf8), JSONParseError(.controlCharacterInString, at: 2)),
        ("unknown escape", Array(#"["\x"]"#.utf8), JSONParseError(.invalidEscape, at: 2)),
        ("bad hex in \\u", Array(#"["\u12G4"]"#.utf8), JSONParseError(.invalidEscape, at: 2)),
        ("short \\u", Array(#"["\u12"]"#.utf8), JSONParseError(.invalidEscape, at: 2)),
        ("lone high surrogate", Array(#"["\ud800"]"#.utf8), JSONParseError(.loneSurrogate, at: 2)),
        ("lone low surrogate", Array(#"["\udc00"]"#.utf8), JSONParseError(.loneSurrogate, at: 2)),
        ("high surrogate then BMP escape", Array(#"["\ud800\u0041"]"#.utf8), JSONParseError(.loneSurrogate, at: 2)),
        ("high surrogate then text", Array(#"["\ud83dx"]"#.utf8), JSONParseError(.loneSurrogate, at: 2)),
        // Invalid UTF-8 inside strings: each is the kind of byte a forged or corrupted body carries.
        ("byte 0xFF", [0x22, 0xFF, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("lone continuation byte", [0x22, 0x80, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("truncated two-byte sequence", [0x22, 0xC3, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("sequence cut by end of input", [0x22, 0xE2, 0x82], JSONParseError(.invalidUTF8, at: 1)),
        ("overlong two-byte '/'", [0x22, 0xC0, 0xAF, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("overlong two-byte C1", [0x22, 0xC1, 0xBF, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("overlong three-byte", [0x22, 0xE0, 0x80, 0xAF, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("overlong four-byte", [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("lead byte 0xF5", [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        ("bad third byte", [0x22, 0xE2, 0x82, 0x41, 0x22], JSONParseError(.invalidUTF8, at: 1)),
        // Outside strings any non-ASCII byte is simply not JSON, a byte-order mark included.
        ("non-ASCII outside strings", [0x5B, 0xFF, 0x5D], JSONParseError(.unexpectedByte(0xFF), at: 1)),
        ("byte-order mark", [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], JSONParseError(.unexpectedByte(0xEF), at: 0)),
    ]

    @Test(arguments: cases)
    func rejects(label: String, bytes: [UInt8], expected: JSONParseError) {
        #expect(throws: expected, "\(label)") { try JSONParser.parse(bytes) }
    }

    @Test func tenThousandNestedArraysFailWithoutCrashing() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 10_000)
        // The 257th bracket (offset 256) is one level too deep.
        #expect(throws: JSONParseError(.nestingTooDeep, at: JSONParser.maximumDepth)) { try JSONParser.parse(bytes) }
    }

    @Test func tenThousandNestedObjectsFailWithoutCrashing() {
        let bytes = Array(String(repeating: #"{"a":"#, count: 10_000).utf8)
        #expect(throws: JSONParseError(.nestingTooDeep, at: 5 * JSONParser.maximumDepth)) { try JSONParser.parse(bytes) }
    }

    @Test func oneLevelOverTheLimitFails() {
        let depth = JSONParser.maximumDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError(.nestingTooDeep, at: depth - 1)) { try JSONParser.parse(text) }
    }

    @Test func errorDescriptionNamesReasonAndOffset() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: " ", count: 812)) }
        #expect(error?.description == "unexpected end of input at byte 812")
        #expect(JSONParseError(.unexpectedByte(0xFF), at: 3).description == "unexpected byte 0xFF at byte 3")
        #expect(JSONParseError(.unexpectedByte(UInt8(ascii: "}")), at: 7).description == "unexpected byte '}' at byte 7")
        #expect(JSONParseError(.nestingTooDeep, at: 256).description == "nesting deeper than 256 at byte 256")
    }
}
