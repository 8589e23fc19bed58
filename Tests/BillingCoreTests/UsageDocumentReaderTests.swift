import BillingCore
import Testing

/// `POST /v1/usage` bodies read straight from their bytes: the same document `JSONParser` sees, in fixed fields.
struct UsageDocumentReaderTests {
    static func read(_ text: String) throws(JSONParseError) -> UsageDocument {
        try UsageDocumentReader.read(Array(text.utf8))
    }

    @Test func aBatchKeepsItsRecordsFieldsAndUnknownKeys() throws {
        let document = try Self.read(#"""
            { "records" : [
                {"customer":"cus_1","metric":"api_requests","quantity":3,"timestamp":1712100000,"id":"a","extra":{"x":[1]}},
                7,
                {"\u0069d":"escaped key","quantity":1.5,"timestamp":null,"quantity":2}
            ] }
            """#)
        guard case .batch(.array(let elements), let otherKeys) = document else {
            Issue.record("expected a batch, got \(document)")
            return
        }
        #expect(otherKeys.isEmpty)
        var first = UsageRecordFields()
        first.customer = .string("cus_1")
        first.metric = .string("api_requests")
        first.quantity = .int(3)
        first.timestamp = .int(1_712_100_000)
        first.id = .string("a")
        first.unknownKeys = ["extra"]
        var third = UsageRecordFields()
        third.id = .string("escaped key")
        third.quantity = .int(2)  // a repeated key keeps its last value, as JSONParser does
        third.timestamp = .null
        #expect(elements == [.record(first), .other(.int(7)), .record(third)])
    }

    @Test func aSingleRecordAKeyBesideRecordsAndOtherValues() throws {
        var single = UsageRecordFields()
        single.customer = .string("cus_1")
        #expect(try Self.read(#"{"customer":"cus_1"}"#) == .record(single))
        #expect(try Self.read(#"{"customer":"cus_1","records":{}}"#) == .batch(records: .other(.object([:])), otherKeys: ["customer"]))
        #expect(try Self.read(" [1] ") == .other(.array([.int(1)])))
        #expect(try Self.read("{}") == .record(UsageRecordFields()))
    }

    @Test(arguments: ["", "{", #"{"records":[}"#, #"{"records":[1,]}"#, #"{"a":1} x"#, "{\"customer\":\"\u{1}\"}", #"{"records":[{"id":01}]}"#])
    func invalidJSONIsRefusedAsJSONParserRefusesIt(_ text: String) {
        #expect(throws: JSONParseError.self) { try Self.read(text) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }
}
