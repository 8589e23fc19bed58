/// Verifies Stripe's `Stripe-Signature` over the raw request body against every configured secret (docs/billing-rules.md, "Webhook signatures").
public struct WebhookSignatureVerifier: Sendable {
    /// Stripe's SDK default: deliveries signed more than 300 seconds from now are refused.
    public static let defaultTolerance: Int64 = 300

    private let keys: [HMACSHA256Key]
    /// Seconds a delivery's timestamp may lie from `now`, in either direction.
    public let tolerance: Int64

    /// Accepts a delivery signed with any of `secrets` (several during a secret roll), each a whole `whsec_…` string.
    public init(secrets: [String], tolerance: Int64 = Self.defaultTolerance) {
        precondition(!secrets.isEmpty, "a verifier needs at least one webhook secret")
        self.keys = secrets.map { HMACSHA256Key(secret: $0) }
        self.tolerance = tolerance
    }

    /// Checks `header` against `payload`, the body bytes exactly as received, at time `now` (unix seconds).
    ///
    /// The checks run in stripe-python's order (header, scheme, signature, then timestamp) so the same
    /// delivery fails with the same reason; unlike stripe-python, a timestamp too far in the future also fails,
    /// which stops a captured signature made with a skewed clock from staying valid for longer than `tolerance`.
    @discardableResult
    public func verify(payload: UnsafeRawBufferPointer, header: String?, now: Int64) throws(SignatureVerificationError) -> VerifiedSignature {
        guard let header, !header.isEmpty else { throw SignatureVerificationError(.missingHeader) }
        let parsed = try StripeSignatureHeader(parsing: header)
        guard parsed.hasSignatures else {
            throw SignatureVerificationError(.noV1Signature, timestamp: parsed.timestamp)
        }
        guard let secretIndex = matchingSecret(parsed, payload: payload) else {
            throw SignatureVerificationError(.noMatchingSignature, timestamp: parsed.timestamp)
        }
        guard parsed.timestamp >= now - tolerance, parsed.timestamp <= now + tolerance else {
            throw SignatureVerificationError(.timestampOutsideTolerance, timestamp: parsed.timestamp)
        }
        return VerifiedSignature(timestamp: parsed.timestamp, secretIndex: secretIndex)
    }

    /// Convenience over a byte array.
    @discardableResult
    public func verify(payload: [UInt8], header: String?, now: Int64) throws(SignatureVerificationError) -> VerifiedSignature {
        // Typed throws do not pass through withUnsafeBytes' rethrows, so carry the result out instead.
        let result = payload.withUnsafeBytes { bytes in
            Result { () throws(SignatureVerificationError) in try verify(payload: bytes, header: header, now: now) }
        }
        return try result.get()
    }

    // The index of the first secret whose signature equals any v1 value, compared in constant time.
    private func matchingSecret(_ header: StripeSignatureHeader, payload: UnsafeRawBufferPointer) -> Int? {
        let tagLength = HMACSHA256Key.tagLength
        // One stack buffer for the `<t>.` prefix (at most 19 digits and a dot), the tag and its hex: no heap work.
        return withUnsafeTemporaryAllocation(byteCount: 32 + tagLength * 3, alignment: 8) { scratch in
            let prefixLength = Self.writePrefix(header.timestamp, into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<32]))
            let prefix = UnsafeRawBufferPointer(rebasing: scratch[0..<prefixLength])
            let tag = UnsafeMutableRawBufferPointer(rebasing: scratch[32..<(32 + tagLength)])
            let hex = UnsafeMutableRawBufferPointer(rebasing: scratch[(32 + tagLength)...])
            for (index, key) in keys.enumerated() {
                key.authenticate(prefix, payload, into: tag)
                LowercaseHex.encode(UnsafeRawBufferPointer(tag), into: hex)
                // Every signature is compared, so the time taken does not say which one matched.
                var matched = false
                header.forEachSignature { candidate in
                    let equal = ConstantTime.equals(candidate, UnsafeRawBufferPointer(hex))
                    matched = matched || equal
                }
                if matched { return index }
            }
            return nil
        }
    }

    // Writes `"<timestamp>."` as stripe-python does (`"%d." % t`) and returns its length.
    private static func writePrefix(_ timestamp: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var digits = 0
        var value = timestamp
        repeat {
            digits += 1
            value /= 10
        } while value > 0
        value = timestamp
        for position in stride(from: digits - 1, through: 0, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        buffer[digits] = UInt8(ascii: ".")
        return digits + 1
    }
}

/// What a successful verification established: when Stripe signed, and with which configured secret.
public struct VerifiedSignature: Sendable, Equatable {
    public let timestamp: Int64
    /// Index into the configured secrets; tells operators when the old secret of a roll stops being used.
    public let secretIndex: Int

    public init(timestamp: Int64, secretIndex: Int) {
        self.timestamp = timestamp
        self.secretIndex = secretIndex
    }
}

/// Lowercase hexadecimal, as Stripe writes signatures.
enum LowercaseHex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes two hex digits per byte of `bytes` into `output`, which must be twice as long.
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        for (index, byte) in bytes.enumerated() {
            output[2 * index] = digits[Int(byte >> 4)]
            output[2 * index + 1] = digits[Int(byte & 0x0F)]
        }
    }

    /// The hex text of `bytes`.
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0x0F)]))
        }
        return text
    }
}
