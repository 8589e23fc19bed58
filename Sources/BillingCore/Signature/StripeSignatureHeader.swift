/// The parts of a `Stripe-Signature` header that matter: the timestamp and every `v1` signature.
public struct StripeSignatureHeader: Sendable, Equatable {
    /// The `t=` value: when Stripe signed the delivery, in unix seconds.
    public let timestamp: Int64
    /// Every `v1=` value in header order (several while a secret is being rolled). May be empty.
    public let v1Signatures: [Substring]

    /// Parses `t=…,v1=…[,v1=…][,v0=…]`, tolerating spaces around items and any order.
    ///
    /// Like Stripe's SDKs, the first `t` wins and `v0` or unknown schemes are ignored (so a forger cannot
    /// downgrade to a weaker scheme). A header without a readable integer `t` is malformed.
    public init(parsing header: String) throws(SignatureVerificationError) {
        var timestamp: Int64?
        var signatures: [Substring] = []
        for item in header.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = item.firstIndex(of: "=") else {
                // A bare `t` or `v1` without a value is a broken header, as stripe-python treats it.
                let bare = item.trimmingSpaces
                if bare == "t" || bare == "v1" { throw SignatureVerificationError(.malformedHeader) }
                continue
            }
            let key = item[..<equals].trimmingSpaces
            let value = item[item.index(after: equals)...].trimmingSpaces
            switch key {
            case "t" where timestamp == nil:
                guard let parsed = Self.parseTimestamp(value) else {
                    throw SignatureVerificationError(.malformedHeader)
                }
                timestamp = parsed
            case "v1":
                signatures.append(value)
            default:
                // v0, a repeated t, and schemes Stripe may add later: ignored on purpose.
                continue
            }
        }
        guard let timestamp else { throw SignatureVerificationError(.malformedHeader) }
        self.timestamp = timestamp
        self.v1Signatures = signatures
    }

    // Digits only, at most 18 of them so the value always fits in Int64.
    private static func parseTimestamp(_ text: Substring) -> Int64? {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

extension Substring {
    /// The substring without leading and trailing spaces or tabs.
    fileprivate var trimmingSpaces: Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
