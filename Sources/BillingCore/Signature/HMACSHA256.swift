import COpenSSL
import Synchronization

/// A secret keyed once for HMAC-SHA256 through OpenSSL's EVP_MAC; each signature starts from the keyed state.
public final class HMACSHA256Key: Sendable {
    // The keyed contexts: OpenSSL re-initialises one to the precomputed key pads with `EVP_MAC_init(ctx, NULL…)`,
    // which is far cheaper than keying or duplicating a context per signature. A context is mutable, so each
    // caller takes one from the pool and gives it back; the pool grows to the number of concurrent callers.
    private let pool: Mutex<ContextPool>

    /// The length in bytes of an HMAC-SHA256 tag.
    public static let tagLength = 32

    /// Keys HMAC-SHA256 with `key`'s bytes. Stripe's key is the whole `whsec_…` string as UTF-8, prefix included.
    public init(key: some Sequence<UInt8>) {
        pool = Mutex(ContextPool(template: Self.makeKeyedContext(Array(key))))
    }

    /// Convenience for a `whsec_…` secret: the key is the string's UTF-8 bytes.
    public convenience init(secret: String) {
        self.init(key: Array(secret.utf8))
    }

    /// The HMAC-SHA256 of `parts` concatenated, written into `tag` (32 bytes), without joining the parts in memory.
    public func authenticate(_ parts: UnsafeRawBufferPointer..., into tag: UnsafeMutableRawBufferPointer) {
        precondition(tag.count >= Self.tagLength, "an HMAC-SHA256 tag needs 32 bytes")
        let context = pool.withLock { $0.take() }
        defer { pool.withLock { $0.giveBack(context) } }
        // A NULL key re-initialises with the key already set (OpenSSL EVP_MAC_init(3)).
        precondition(EVP_MAC_init(context.pointer, nil, 0, nil) == 1, "OpenSSL HMAC re-initialisation failed")
        for part in parts where part.count > 0 {
            let updated = EVP_MAC_update(context.pointer, part.baseAddress!.assumingMemoryBound(to: UInt8.self), part.count)
            precondition(updated == 1, "OpenSSL HMAC update failed")
        }
        var written = 0
        let finished = EVP_MAC_final(context.pointer, tag.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, tag.count)
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

    /// A context keyed with `keyBytes`: a copy of `prototype` (which already holds the SHA-256 digest) re-keyed.
    ///
    /// Keying with a "digest" parameter makes OpenSSL fetch the digest by name, and OpenSSL 3.0's fetch fails now and
    /// then when threads fetch at once (openssl/openssl#17064, #13682): keys made concurrently then crashed. Copying
    /// a context whose digest is set and keying it without parameters fetches nothing.
    private static func makeKeyedContext(_ keyBytes: [UInt8]) -> MACContext {
        let context = prototype.duplicate()
        let keyed = keyBytes.withUnsafeBufferPointer { buffer in
            // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
            var placeholder: UInt8 = 0
            let base = buffer.baseAddress ?? withUnsafePointer(to: &placeholder) { $0 }
            return EVP_MAC_init(context.pointer, base, buffer.count, nil)
        }
        precondition(keyed == 1, "OpenSSL could not key HMAC-SHA256")
        return context
    }

    // The only keying that names the digest, once per process (Swift runs a static's initialiser once, under a lock).
    // It is keyed (with an empty key) because OpenSSL copies only an initialised HMAC context. Never used to sign,
    // only copied: copies read it and never change it, so threads can copy it at once.
    private static let prototype: MACContext = {
        guard let context = EVP_MAC_CTX_new(algorithm) else {
            preconditionFailure("OpenSSL could not allocate an HMAC context")
        }
        let keyed = "SHA256".withCString { digestName in
            var parameters = [
                OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: digestName), 0),
                OSSL_PARAM_construct_end(),
            ]
            var placeholder: UInt8 = 0
            return withUnsafePointer(to: &placeholder) { EVP_MAC_init(context, $0, 0, &parameters) }
        }
        precondition(keyed == 1, "OpenSSL could not set up HMAC-SHA256")
        return MACContext(pointer: context)
    }()

    // Fetching an algorithm walks OpenSSL's provider tables under a lock; do it once per process.
    // nonisolated(unsafe): the fetched EVP_MAC is immutable and OpenSSL documents it as shareable across threads.
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            preconditionFailure("OpenSSL's default provider has no HMAC; is libcrypto 3 installed?")
        }
        return mac
    }()
}

/// An owned EVP_MAC_CTX, freed with its last reference.
private final class MACContext: @unchecked Sendable {
    // @unchecked: a context is used by one caller at a time; the pool's lock hands it over between threads.
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    func duplicate() -> MACContext {
        guard let copy = EVP_MAC_CTX_dup(pointer) else { preconditionFailure("OpenSSL could not copy an HMAC context") }
        return MACContext(pointer: copy)
    }

    deinit {
        EVP_MAC_CTX_free(pointer)
    }
}

/// Keyed contexts not in use, plus the keyed template new ones are copied from.
private struct ContextPool: ~Copyable {
    let template: MACContext
    var idle: [MACContext] = []

    init(template: MACContext) {
        self.template = template
    }

    mutating func take() -> MACContext {
        idle.popLast() ?? template.duplicate()
    }

    mutating func giveBack(_ context: MACContext) {
        idle.append(context)
    }
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
