import Foundation

/// Extracts the API key the way Stripe reads it: `Authorization: Bearer <key>`, or HTTP basic
/// auth with the key as the user name and an empty password (`curl -u sk_test_…:`).
enum Authentication {
    /// The accepted key, or Stripe's 401 answer.
    static func apiKey(authorization: String?, accepted: Set<String>) throws(StripeError) -> String {
        guard let authorization, !authorization.isEmpty else {
            // Stripe's wording when no key is sent at all.
            throw StripeError(
                status: 401,
                message: "You did not provide an API key. You need to provide your API key in the Authorization header, "
                    + "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
                savedForIdempotency: false
            )
        }
        guard let key = presentedKey(authorization), accepted.contains(key) else {
            // Stripe never echoes a full key: "Invalid API Key provided: sk_test_********1234".
            throw StripeError(
                status: 401,
                message: "Invalid API Key provided: \(redacted(presentedKey(authorization) ?? authorization))",
                savedForIdempotency: false
            )
        }
        return key
    }

    /// Whether objects made with this key are live mode (`sk_live_`, `rk_live_`).
    static func isLive(_ key: String) -> Bool {
        key.hasPrefix("sk_live_") || key.hasPrefix("rk_live_")
    }

    private static func presentedKey(_ authorization: String) -> String? {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        if scheme == "bearer" { return credentials }
        if scheme == "basic", let data = Data(base64Encoded: credentials), let text = String(data: data, encoding: .utf8) {
            return String(text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0])
        }
        return nil
    }

    private static func redacted(_ key: String) -> String {
        guard key.count > 12 else { return String(repeating: "*", count: key.count) }
        let prefixEnd = key.index(key.startIndex, offsetBy: 8)
        return String(key[..<prefixEnd]) + String(repeating: "*", count: key.count - 12) + String(key.suffix(4))
    }
}
