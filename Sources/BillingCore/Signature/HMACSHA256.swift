import COpenSSL

/// A secret keyed once for HMAC-SHA256 through OpenSSL's EVP_MAC; each signature starts from a copy of the keyed state.
public final class HMACSHA256Key: @unchecked Sendable {
    // @unchecked: `template` is keyed in init and only ever read afterwards (EVP_MAC_CTX_dup reads
    // it), so sharing it across threads is safe; it is freed in deinit when nobody can reach it.
    private let template: OpaquePointer

    /// The length in bytes of an HMAC-SHA256 tag.
    public static let tagLength = 32

    /// Keys HMAC-SHA256 with `key`'s bytes. Stripe's key is the whole `whsec_…` string as UTF-8, prefix included.
    public init(key: some Sequence<UInt8>) {
        guard let context = EVP_MAC_CTX_new(Self.algorithm) else {
            preconditionFailure("OpenSSL could not allocate an HMAC context")
        }
        let keyBytes = Array(key)
        let keyed = "SHA256".withCString { digestName in
            var parameters = [
                OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: digestName), 0),
                OSSL_PARAM_construct_end(),
            ]
            return keyBytes.withUnsafeBufferPointer { buffer in
                // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
                var placeholder: UInt8 = 0
                let base = buffer.baseAddress ?? withUnsafePointer(to: &placeholder) { $0 }
                return EVP_MAC_init(context, base, buffer.count, &parameters)
            }
        }
        precondition(keyed == 1, "OpenSSL could not key HMAC-SHA256")
        template = context
    }

    /// Convenience for a `whsec_…` secret: the key is the string's UTF-8 bytes.
    public convenience init(secret: String) {
        self.init(key: Array(secret.utf8))
    }

    deinit {
        EVP_MAC_CTX_free(template)
    }

    /// The HMAC-SHA256 of `parts` concatenated, written into `tag` (32 bytes), without joining the parts in memory.
    public func authenticate(_ parts: UnsafeRawBufferPointer..., into tag: UnsafeMutableRawBufferPointer) {
        precondition(tag.count >= Self.tagLength, "an HMAC-SHA256 tag needs 32 bytes")
        guard let context = EVP_MAC_CTX_dup(template) else {
            preconditionFailure("OpenSSL could not copy an HMAC context")
        }
        defer { EVP_MAC_CTX_free(context) }
        for part in parts where part.count > 0 {
            let updated = EVP_MAC_update(context, part.baseAddress!.assumingMemoryBound(to: UInt8.self), part.count)
            precondition(updated == 1, "OpenSSL HMAC update failed")
        }
        var written = 0
        let finished = EVP_MAC_final(context, tag.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, tag.count)
        precondition(finished == 1 && written == Self.tagLength, "OpenSSL HMAC final failed")
    }

    /// The HMAC-SHA256 of `message` as a 32-byte array.
    public func authenticationCode(for message: some Sequence<UInt8>) -> [UInt8] {
        let bytes = Array(message)
        return [UInt8](unsafeUninitializedCapacity: Self.tagLength) { tag, count in
            bytes.withUnsafeBytes { authenticate($0, into: UnsafeMutableRawBufferPointer(tag)) }
            count = Self.tagLength
        }
    }

    // Fetching an algorithm walks OpenSSL's provider tables under a lock; do it once per process.
    // nonisolated(unsafe): the fetched EVP_MAC is immutable and OpenSSL documents it as shareable across threads.
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            preconditionFailure("OpenSSL's default provider has no HMAC; is libcrypto 3 installed?")
        }
        return mac
    }()
}

/// Comparison that takes the same time whatever the bytes, so a forger learns nothing from timing.
public enum ConstantTime {
    /// True when both buffers have the same length and the same bytes; compared with OpenSSL's CRYPTO_memcmp.
    public static func equals(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
    }

    /// True when both byte sequences are equal, compared in constant time.
    public static func equals(_ lhs: some Sequence<UInt8>, _ rhs: some Sequence<UInt8>) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        return left.withUnsafeBytes { l in right.withUnsafeBytes { r in equals(l, r) } }
    }
}
