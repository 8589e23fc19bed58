import BillingCore
import Testing

/// Bodies that must be answered `400 invalid_payload` even when their signature is valid:
/// both decoders reject them with `.invalidJSON` and the parser's reason and offset.
struct InvalidPayloadDecodingTests {
    static let signedBody = "invoice.payment_succeeded.signed-test-vector.2025-03-31.basil.payload.json"

    @Test func invalidUTF8InsideASkippedStringIsRejected() throws {
        var bytes = try FixtureLoader.bytes(Self.signedBody)
        // "1 × Basic" sits in lines.data[0].description, which the envelope only validates.
        let times: [UInt8] = [0xC3, 0x97]
        let offset = try #require(bytes.indices.first { bytes[$0...].starts(with: times) })
        bytes[offset + 1] = 0x28
        let error = agreedDecodingError(bytes)
        #expect(error == .invalidJSON(JSONParseError(.invalidUTF8, at: offset)))
        #expect(error?.description == "invalid JSON: invalid UTF-8 at byte \(offset)")
    }

    @Test func overlongEncodingInTheEventIDIsRejected() throws {
        var bytes = try FixtureLoader.bytes(Self.signedBody)
        let offset = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("evt_".utf8)) })
        // An overlong "_" (0xC1 0x9F) could smuggle a different id past a naive comparison.
        bytes.replaceSubrange((offset + 3)...(offset + 3), with: [0xC1, 0x9F])
        #expect(agreedDecodingError(bytes) == .invalidJSON(JSONParseError(.invalidUTF8, at: offset + 3)))
    }

    @Test func truncatedBodyIsRejected() throws {
        let bytes = try FixtureLoader.bytes(Self.signedBody)
        let cut = Array(bytes[..<4000])
        #expect(agreedDecodingError(cut) == .invalidJSON(JSONParseError(.unexpectedEndOfInput, at: 4000)))
    }

    @Test func trailingGarbageAfterTheEventIsRejected() throws {
        let bytes = try FixtureLoader.bytes(Self.signedBody) + Array("\n{}".utf8)
        #expect(agreedDecodingError(bytes) == .invalidJSON(JSONParseError(.trailingGarbage, at: bytes.count - 2)))
    }

    @Test func emptyBodyIsRejected() {
        #expect(agreedDecodingError([]) == .invalidJSON(JSONParseError(.unexpectedEndOfInput, at: 0)))
    }

    @Test func deepNestingInsideDataObjectFailsWithoutCrashing() {
        let prefix = #"{"id":"evt_1","type":"x","created":1,"data":{"object":{"deep":"#
        let bytes = Array(prefix.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 10_000)
        // The top-level object, data and data.object are three levels; the 254th bracket is the 257th level.
        let expected = JSONParseError(.nestingTooDeep, at: prefix.utf8.count + JSONParser.maximumDepth - 3)
        #expect(agreedDecodingError(bytes) == .invalidJSON(expected))
    }

    @Test func nestingJustUnderTheLimitIsAccepted() throws {
        let depth = JSONParser.maximumDepth - 3
        let text = #"{"id":"evt_1","type":"x","created":1,"data":{"object":{"deep":"#
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}}}"
        let envelope = try StripeEventEnvelope(parsing: Array(text.utf8))
        #expect(envelope == (try StripeEvent(parsing: Array(text.utf8))).envelope)
    }

    @Test func syntaxErrorWinsOverAnEarlierTypeError() {
        // Same precedence in both decoders: the body is validated first, then the fields.
        let bytes = Array(#"{"id":1,"type":"x","created":1,"data":{"object":{}}} x"#.utf8)
        #expect(agreedDecodingError(bytes) == .invalidJSON(JSONParseError(.trailingGarbage, at: bytes.count - 1)))
    }
}
