import BillingCore
import Foundation
import Testing

/// The verifier and signer on their own: the real signed Stripe delivery, rotation, tolerance and header forms.
struct SignatureVerifierTests {
    static let secret = "whsec_test_0123456789abcdef"

    /// The byte-exact basil delivery from the shared fixtures: secret, header and the body as Stripe sent it.
    static func realDelivery() throws -> (payload: [UInt8], header: String, secret: String, timestamp: Int64) {
        let meta = Bundle.module.url(forResource: "Fixtures/invoice.payment_succeeded.signed-test-vector.2025-03-31.basil.meta", withExtension: "json")!
        let body = Bundle.module.url(forResource: "Fixtures/invoice.payment_succeeded.signed-test-vector.2025-03-31.basil.payload", withExtension: "json")!
        let fields = try JSONSerialization.jsonObject(with: Data(contentsOf: meta)) as! [String: Any]
        return ([UInt8](try Data(contentsOf: body)), fields["stripe_signature_header"] as! String, fields["webhook_signing_secret"] as! String, 1_746_757_390)
    }

    @Test func acceptsTheRealSignedBasilDeliveryAtItsOwnTime() throws {
        let delivery = try Self.realDelivery()
        #expect(delivery.payload.count == 5573)
        let verified = try WebhookSignatureVerifier(secrets: [delivery.secret]).verify(payload: delivery.payload, header: delivery.header, now: delivery.timestamp)
        #expect(verified == VerifiedSignature(timestamp: delivery.timestamp, secretIndex: 0))
    }

    @Test func theRealDeliveryFailsWhenReadAsTextAndReEncodedOrAtTheWrongTime() throws {
        let delivery = try Self.realDelivery()
        let verifier = WebhookSignatureVerifier(secrets: [delivery.secret])
        // Re-serialising the JSON (different spacing) must break the signature: only raw bytes are signed.
        let reserialised = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(delivery.payload)))
        #expect(throws: SignatureVerificationError(.noMatchingSignature, timestamp: delivery.timestamp)) {
            try verifier.verify(payload: [UInt8](reserialised), header: delivery.header, now: delivery.timestamp)
        }
        #expect(throws: SignatureVerificationError(.timestampOutsideTolerance, timestamp: delivery.timestamp)) {
            try verifier.verify(payload: delivery.payload, header: delivery.header, now: delivery.timestamp + 301)
        }
        // The key is the whole secret string, prefix included.
        let withoutPrefix = WebhookSignatureVerifier(secrets: [String(delivery.secret.dropFirst("whsec_".count))])
        #expect(throws: SignatureVerificationError(.noMatchingSignature, timestamp: delivery.timestamp)) {
            try withoutPrefix.verify(payload: delivery.payload, header: delivery.header, now: delivery.timestamp)
        }
    }

    @Test func signerAndVerifierRoundTripNonASCIIAndEmptyBodies() throws {
        for body in ["{\"description\":\"1 × Basic\",\"name\":\"Zürich 日本\"}", ""] {
            let payload = Array(body.utf8)
            let header = WebhookSigner(secret: Self.secret).header(for: payload, timestamp: 1_700_000_000)
            try WebhookSignatureVerifier(secrets: [Self.secret]).verify(payload: payload, header: header, now: 1_700_000_100)
        }
    }

    @Test func rotationAcceptsEitherSecretAndReportsWhichOneMatched() throws {
        let old = "whsec_old", new = "whsec_new"
        let payload = Array("{\"id\":\"evt_1\"}".utf8)
        let bothSigned = WebhookSigner(secrets: [old, new]).header(for: payload, timestamp: 100)
        let newOnly = WebhookSigner(secret: new).header(for: payload, timestamp: 100)
        let verifier = WebhookSignatureVerifier(secrets: [old, new])
        #expect(try verifier.verify(payload: payload, header: bothSigned, now: 100).secretIndex == 0)
        #expect(try verifier.verify(payload: payload, header: newOnly, now: 100).secretIndex == 1)
        #expect(throws: SignatureVerificationError(.noMatchingSignature, timestamp: 100)) {
            try WebhookSignatureVerifier(secrets: ["whsec_other"]).verify(payload: payload, header: bothSigned, now: 100)
        }
    }

    @Test func toleranceRefusesBothTooOldAndTooFarInTheFuture() throws {
        let payload = Array("{}".utf8)
        let verifier = WebhookSignatureVerifier(secrets: [Self.secret], tolerance: 300)
        let header = WebhookSigner(secret: Self.secret).header(for: payload, timestamp: 10_000)
        for now: Int64 in [9_700, 10_000, 10_300] {
            try verifier.verify(payload: payload, header: header, now: now)
        }
        for now: Int64 in [9_699, 10_301] {
            #expect(throws: SignatureVerificationError(.timestampOutsideTolerance, timestamp: 10_000)) {
                try verifier.verify(payload: payload, header: header, now: now)
            }
        }
    }

    @Test func headerParsingToleratesSpacesOrderAndIgnoresOtherSchemes() throws {
        let parsed = try StripeSignatureHeader(parsing: " v0=aa , v1=bb ,t=42,v9=cc,v1= dd,t=7")
        #expect(parsed.timestamp == 42)
        #expect(parsed.v1Signatures == ["bb", "dd"])
        let cases: [(String?, SignatureVerificationError.Code)] = [
            (nil, .missingHeader), ("", .missingHeader), ("v1=ab", .malformedHeader), ("t=x,v1=ab", .malformedHeader),
            ("t=1,v1", .malformedHeader), ("t=1", .noV1Signature), ("t=1,v0=ab", .noV1Signature), ("t=1,v1=ab", .noMatchingSignature),
        ]
        let verifier = WebhookSignatureVerifier(secrets: [Self.secret])
        for (header, code) in cases {
            #expect(performing: { try verifier.verify(payload: [], header: header, now: 1) }, throws: { ($0 as? SignatureVerificationError)?.code == code })
        }
    }

    @Test func errorMessagesAreStripesOwn() {
        #expect(SignatureVerificationError(.malformedHeader).message == "Unable to extract timestamp and signatures from header")
        #expect(SignatureVerificationError(.noV1Signature).message == "No signatures found with expected scheme v1")
        #expect(SignatureVerificationError(.noMatchingSignature).message == "No signatures found matching the expected signature for payload")
        #expect(SignatureVerificationError(.timestampOutsideTolerance).message == "Timestamp outside the tolerance zone")
    }

    @Test func hmacMatchesRFC4231TestCase2() {
        let tag = HMACSHA256Key(key: Array("Jefe".utf8)).authenticationCode(for: Array("what do ya want for nothing?".utf8))
        let hex = tag.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// RFC 4231 test case 6: a 131-byte key, longer than SHA-256's block, which HMAC hashes first.
    @Test func hmacMatchesRFC4231TestCase6() {
        let tag = HMACSHA256Key(key: [UInt8](repeating: 0xAA, count: 131))
            .authenticationCode(for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        let hex = tag.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// Keys made on many threads at once: OpenSSL 3.0 fails some digest fetches under that contention, and keying
    /// used to fetch (a crash of the SIGKILL test, whose 16 senders each sign with a fresh key).
    @Test func keysMadeConcurrentlyAllSignCorrectly() async {
        let tags = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<300).map { _ in
                        HMACSHA256Key(key: Array("Jefe".utf8)).authenticationCode(for: Array("what do ya want for nothing?".utf8))
                            .map { String(format: "%02x", $0) }.joined()
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(tags.count == 2_400)
        #expect(Set(tags) == ["5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"])
    }
}
