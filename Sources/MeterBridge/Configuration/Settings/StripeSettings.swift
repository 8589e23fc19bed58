/// Outbound calls to Stripe: the key, where the API is, the API versions pinned, and the call rate.
enum StripeSettings {
    static let apiKey = Setting<String?>.optionalText(
        "stripe.api_key", environment: "STRIPE_API_KEY", values: "sk_… or rk_…",
        summary: "the secret or restricted API key; reporting pauses (usage is kept) while unset", secret: true, at: \.stripe.apiKey,
        check: { (key: String, input: SettingInput) throws(ConfigurationError) in
            guard key.hasPrefix("sk_") || key.hasPrefix("rk_") else { throw input.error("expected a secret (sk_…) or restricted (rk_…) API key") }
        }
    )
    static let apiBase = Setting<String>(
        "stripe.api_base", environment: "MB_STRIPE_API_BASE", default: "https://api.stripe.com", values: "an http:// or https:// URL",
        summary: "where Stripe's API is (tests point it at a local double)", at: \.stripe.apiBase, parse: base, show: { $0 }
    )
    static let versionLegacy = Setting<String>.stripeVersion(
        "stripe.version_legacy", environment: "MB_STRIPE_VERSION_LEGACY", default: "2025-02-24.acacia",
        summary: "Stripe-Version of usage record calls: 2025-02-24.acacia or earlier", at: \.stripe.versionLegacy,
        check: { (version: String, input: SettingInput) throws(ConfigurationError) in
            // Legacy usage records were removed in 2025-03-31.basil: a later version would make every report fail.
            guard version.prefix(10) < "2025-03-31" else {
                throw input.error("usage records do not exist from 2025-03-31.basil on; use 2025-02-24.acacia or earlier, got '\(version)'")
            }
        }
    )
    static let versionMeter = Setting<String>.stripeVersion(
        "stripe.version_meter", environment: "MB_STRIPE_VERSION_METER", default: "2025-02-24.acacia",
        summary: "Stripe-Version of meter event and summary calls", at: \.stripe.versionMeter
    )
    static let rateLimit = Setting<Int>.integer(
        "stripe.rate_limit", environment: "MB_RATE_LIMIT", default: 80, in: 1...10_000,
        unit: "calls per second", summary: "Stripe calls per second from this account (use 20 for test-mode keys)", at: \.stripe.rateLimit
    )

    static let all: [any ParsedSetting] = [apiKey, apiBase, versionLegacy, versionMeter, rateLimit]

    private static func base(_ input: SettingInput) throws(ConfigurationError) -> String {
        let base = try input.text()
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
            throw input.error("expected an http:// or https:// URL, got '\(base)'")
        }
        // Paths are appended with a leading slash.
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }
}
