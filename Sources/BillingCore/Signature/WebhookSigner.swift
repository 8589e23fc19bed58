/// Signs payloads the way Stripe does: for tests, the demo and the `sign` and `send` commands.
public struct WebhookSigner: Sendable {
    private let keys: [HMACSHA256Key]

    /// Signs with every secret in `secrets`, one `v1` each, as Stripe does while a secret is being rolled.
    public init(secrets: [String]) {
        precondition(!secrets.isEmpty, "a signer needs at least one webhook secret")
        self.keys = secrets.map { HMACSHA256Key(secret: $0) }
    }

    /// Signs with one secret.
    public init(secret: String) {
        self.init(secrets: [secret])
    }

    /// The `v1` signature of `payload` at `timestamp`: lowercase hex HMAC-SHA256 of `"<t>." + payload`.
    public func signatures(for payload: some Sequence<UInt8>, timestamp: Int64) -> [String] {
        let signed = Array("\(timestamp).".utf8) + Array(payload)
        return keys.map { LowercaseHex.string($0.authenticationCode(for: signed)) }
    }

    /// A complete `Stripe-Signature` header value: `t=<timestamp>,v1=<hex>[,v1=<hex>…]`.
    public func header(for payload: some Sequence<UInt8>, timestamp: Int64) -> String {
        (["t=\(timestamp)"] + signatures(for: payload, timestamp: timestamp).map { "v1=\($0)" }).joined(separator: ",")
    }
}
