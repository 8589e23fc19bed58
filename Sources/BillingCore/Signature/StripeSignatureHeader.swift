/// The parts of a `Stripe-Signature` header that matter: the timestamp and every `v1` signature.
public struct StripeSignatureHeader: Sendable, Equatable {
    /// The `t=` value: when Stripe signed the delivery, in unix seconds.
    public let timestamp: Int64
    private let header: String
    // Byte ranges of the `v1=` values within `header`: found once, compared in place without copying.
    private let signatureRanges: [Range<Int>]

    /// Every `v1=` value in header order (several while a secret is being rolled). May be empty.
    public var v1Signatures: [Substring] {
        let utf8 = header.utf8
        return signatureRanges.map { range in
            Substring(utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)])
        }
    }

    /// Whether the header carries at least one `v1` signature.
    public var hasSignatures: Bool { !signatureRanges.isEmpty }

    /// Parses `t=…,v1=…[,v1=…][,v0=…]`, tolerating spaces around items and any order.
    ///
    /// Like Stripe's SDKs, the first `t` wins and `v0` or unknown schemes are ignored (so a forger cannot
    /// downgrade to a weaker scheme). A header without a readable integer `t` is malformed. It runs on every
    /// delivery, so it scans the UTF-8 bytes once instead of splitting Strings by Character.
    public init(parsing header: String) throws(SignatureVerificationError) {
        var contiguous = header
        let parsed = contiguous.withUTF8 { Self.scan($0) }
        guard case .success(let (timestamp, ranges)) = parsed else { throw SignatureVerificationError(.malformedHeader) }
        self.timestamp = timestamp
        self.header = contiguous
        self.signatureRanges = ranges
    }

    /// Calls `body` with each `v1` value's bytes; used to compare signatures without building strings.
    func forEachSignature(_ body: (UnsafeRawBufferPointer) -> Void) {
        var contiguous = header
        contiguous.withUTF8 { buffer in
            for range in signatureRanges {
                body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[range]))
            }
        }
    }

    private enum Malformed: Error { case header }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(Int64, [Range<Int>]), Malformed> {
        var timestamp: Int64?
        var signatures: [Range<Int>] = []
        var itemStart = 0
        while itemStart <= bytes.count {
            var itemEnd = itemStart
            while itemEnd < bytes.count, bytes[itemEnd] != UInt8(ascii: ",") { itemEnd += 1 }
            let item = trimmed(bytes, itemStart..<itemEnd)
            if let equals = item.firstIndex(where: { bytes[$0] == UInt8(ascii: "=") }) {
                let key = trimmed(bytes, item.lowerBound..<equals)
                let value = trimmed(bytes, (equals + 1)..<item.upperBound)
                if matches(bytes, key, "t") {
                    if timestamp == nil {
                        guard let parsed = parseTimestamp(bytes, value) else { return .failure(.header) }
                        timestamp = parsed
                    }
                } else if matches(bytes, key, "v1") {
                    signatures.append(value)
                }
                // v0, a repeated t, and schemes Stripe may add later: ignored on purpose.
            } else if matches(bytes, item, "t") || matches(bytes, item, "v1") {
                // A bare `t` or `v1` without a value is a broken header, as stripe-python treats it.
                return .failure(.header)
            }
            itemStart = itemEnd + 1
        }
        guard let timestamp else { return .failure(.header) }
        return .success((timestamp, signatures))
    }

    // Digits only, at most 18 of them so the value always fits in Int64.
    private static func parseTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value: Int64 = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        return range.enumerated().allSatisfy { offset, index in bytes[index] == word.utf8Start[offset] }
    }

    // The range without leading and trailing spaces or tabs.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return start..<end
    }
}
