import BillingCore
import Foundation
import Testing

/// The byte containers the parser accepts all read the same document.
struct JSONParserInputTests {
    let text = #"{"id":"evt_1","n":[1,2.5]}"#
    let expected = JSONValue.object(["id": .string("evt_1"), "n": .array([.int(1), .double(2.5)])])

    @Test func rawBufferArrayStringAndData() throws {
        let bytes = Array(text.utf8)
        #expect(try bytes.withUnsafeBytes { buffer in try JSONParser.parse(buffer) } == expected)
        #expect(try JSONParser.parse(bytes) == expected)
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse(Data(bytes)) == expected)
    }

    @Test func sliceWithNonZeroStartIndex() throws {
        let framed = Array("xx\(text)yy".utf8)
        let slice = framed[2..<(framed.count - 2)]
        #expect(try JSONParser.parse(slice) == expected)
    }

    @Test func errorOffsetsAreRelativeToTheSlice() {
        let framed = Array("xx{\"a\":}yy".utf8)
        #expect(throws: JSONParseError(.unexpectedByte(UInt8(ascii: "}")), at: 5)) {
            try JSONParser.parse(framed[2..<8])
        }
    }

    @Test func nonContiguousCollectionIsCopied() throws {
        let lazyBytes = Array(text.utf8).lazy.map { $0 }
        #expect(try JSONParser.parse(lazyBytes) == expected)
    }
}
