import BillingCore
import Testing

/// Documents the parser must accept, and the values it must build from them.
struct JSONParserValidTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("\"\"", .string("")),
        ("[]", .array([])),
        ("{}", .object([:])),
        (" \t\r\n [ 1 , \"a\" , null ] \n", .array([.int(1), .string("a"), .null])),
    ])
    func scalarsAndContainers(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func nestedDocument() throws {
        let text = #"{"id":"sub_1","items":{"data":[{"id":"si_1","quantity":2,"price":null}],"has_more":false},"x":[[],{}]}"#
        let expected = JSONValue.object([
            "id": .string("sub_1"),
            "items": .object([
                "data": .array([.object(["id": .string("si_1"), "quantity": .int(2), "price": .null])]),
                "has_more": .bool(false),
            ]),
            "x": .array([.array([]), .object([:])]),
        ])
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(arguments: [
        (#""a\"b\\c\/d""#, "a\"b\\c/d"),
        (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
        (#""\u00e9\u00E9 \u20ac \u0000""#, "éé € \u{0}"),
        // A surrogate pair escape is one scalar outside the BMP.
        (#""\ud83d\ude00 \uD834\uDD1E""#, "😀 𝄞"),
        // Raw UTF-8 of two, three and four bytes, as Stripe sends in descriptions ("1 × Basic").
        ("\"1 × Basic — 日本 😀\"", "1 × Basic — 日本 😀"),
    ])
    func stringEscapesAndUTF8(text: String, expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test(arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-17", .int(-17)),
        ("1758919058", .int(1_758_919_058)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        // Beyond Int64: kept as the nearest double rather than rejected.
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("-9223372036854775809", .double(-9.223372036854775808e18)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)),
        ("1E+2", .double(100)),
        ("2.5e-3", .double(0.0025)),
        ("-1.5E3", .double(-1500)),
        ("1e-400", .double(0)),  // underflow rounds to zero, as every JSON parser does
    ])
    func numbers(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#) == .object(["a": .int(2)]))
    }

    @Test func escapedKeysAreDecoded() throws {
        #expect(try JSONParser.parse(#"{"\u0069d":"x"}"#)["id"] == .string("x"))
    }

    /// The string scanner checks eight bytes at a time; a special byte must be seen in every lane
    /// and after every prefix length, including a word that straddles the closing quote.
    @Test func specialBytesAreFoundAtEveryPosition() throws {
        for prefix in 0..<20 {
            let pad = String(repeating: "a", count: prefix)
            #expect(try JSONParser.parse("\"\(pad)\\\"\(pad)\"") == .string(pad + "\"" + pad))
            #expect(try JSONParser.parse("\"\(pad)\\n\"") == .string(pad + "\n"))
            #expect(try JSONParser.parse("\"\(pad)é\(pad)\"") == .string(pad + "é" + pad))
            #expect(try JSONParser.parse("[\"\(pad)\",\"\(pad)\"]") == .array([.string(pad), .string(pad)]))

            let control = Array("\"\(pad)".utf8) + [0x1F] + Array("\(pad)\"".utf8)
            #expect(throws: JSONParseError(.controlCharacterInString, at: 1 + prefix)) { try JSONParser.parse(control) }
            let invalid = Array("\"\(pad)".utf8) + [0xFF] + Array("\(pad)\"".utf8)
            #expect(throws: JSONParseError(.invalidUTF8, at: 1 + prefix)) { try JSONParser.parse(invalid) }
        }
    }

    /// Indentation is skipped eight spaces at a time; every run length and a run that reaches
    /// the end of the input must land on the right byte.
    @Test func whitespaceRunsOfEveryLength() throws {
        for count in 0..<20 {
            let pad = String(repeating: " ", count: count)
            #expect(try JSONParser.parse(pad + "[" + pad + "1" + pad + "," + "\n" + pad + "null" + pad + "]" + pad) == .array([.int(1), .null]))
            #expect(try JSONParser.parse("{\n" + pad + "\"a\"" + pad + ":" + pad + "true\r\n\t" + pad + "}") == .object(["a": .bool(true)]))
        }
    }

    @Test func deepButAllowedNesting() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSONParser.parse(text)
        var levels = 0
        while case .array(let inner) = value {
            levels += 1
            value = inner.first ?? .null
        }
        #expect(levels == depth)
    }
}
