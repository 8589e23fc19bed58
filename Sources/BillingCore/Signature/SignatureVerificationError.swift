/// Why a webhook delivery failed signature verification; codes and messages follow Stripe's SDKs
/// (docs/http-api.md, "POST /webhooks/stripe").
public struct SignatureVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The machine-readable reason, sent as the `code` of the JSON error body.
    public enum Code: String, Sendable, CaseIterable {
        case missingHeader = "missing_header"
        case malformedHeader = "malformed_header"
        case noV1Signature = "no_v1_signature"
        case noMatchingSignature = "no_matching_signature"
        case timestampOutsideTolerance = "timestamp_outside_tolerance"
    }

    public let code: Code
    /// The header's timestamp when one could be read (useful in logs for stale deliveries).
    public let timestamp: Int64?

    public init(_ code: Code, timestamp: Int64? = nil) {
        self.code = code
        self.timestamp = timestamp
    }

    /// The message Stripe's own SDKs give for the same failure, so operators can search for it.
    public var message: String {
        switch code {
        case .missingHeader:
            "No Stripe-Signature header value was provided"
        case .malformedHeader:
            "Unable to extract timestamp and signatures from header"
        case .noV1Signature:
            "No signatures found with expected scheme v1"
        case .noMatchingSignature:
            "No signatures found matching the expected signature for payload"
        case .timestampOutsideTolerance:
            "Timestamp outside the tolerance zone"
        }
    }

    public var description: String {
        if let timestamp { return "\(code.rawValue): \(message) (\(timestamp))" }
        return "\(code.rawValue): \(message)"
    }
}
