extension StripeClient {
    /// Settings of the Stripe client; the app fills them from `stripe.*` (docs/configuration.md).
    ///
    /// | Setting | Config key / environment | Default |
    /// |---|---|---|
    /// | `apiKey` (secret: never logged, never in errors or descriptions) | `stripe.api_key` / `STRIPE_API_KEY` | — |
    /// | `apiBase` | `stripe.api_base` / `MB_STRIPE_API_BASE` | `https://api.stripe.com` |
    /// | `versionLegacy`: version of usage records and their summaries | `stripe.version_legacy` / `MB_STRIPE_VERSION_LEGACY` | `2025-02-24.acacia` |
    /// | `versionMeter`: version of meter events, adjustments, summaries | `stripe.version_meter` / `MB_STRIPE_VERSION_METER` | `2025-02-24.acacia` |
    /// | `rateLimit`: calls per second for the account | `stripe.rate_limit` / `MB_RATE_LIMIT` | 80 |
    /// | `burst`: calls back to back after a pause | — | `rateLimit` |
    /// | `retry`: attempts and backoff inside one call | — | 4 attempts, 250 ms base, 8 s cap |
    /// | `requestTimeout`: one HTTP attempt, answer body included | — | 30 s |
    /// | `pageSize`: `limit` of list calls (1…100) | — | 100 |
    ///
    /// Legacy usage records and their summaries do not exist from `2025-03-31.basil` on: `versionLegacy`
    /// must stay `2025-02-24.acacia` or earlier (``StripeClient/Configuration/supportsUsageRecords(version:)``).
    public struct Configuration: Sendable, CustomStringConvertible {
        /// `sk_…` or `rk_…`. Secret.
        public var apiKey: String
        /// Scheme, host and optional port, without a trailing slash (one is removed).
        public var apiBase: String {
            didSet { apiBase = Self.trimmed(apiBase) }
        }
        public var versionLegacy: String
        public var versionMeter: String
        public var rateLimit: Int
        public var burst: Int?
        public var retry: StripeRetryPolicy
        public var requestTimeout: Duration
        public var pageSize: Int
        /// Answers larger than this are refused as unexpected (Stripe's are a few kilobytes).
        public var maximumResponseSize: Int

        public init(
            apiKey: String,
            apiBase: String = "https://api.stripe.com",
            versionLegacy: String = "2025-02-24.acacia",
            versionMeter: String = "2025-02-24.acacia",
            rateLimit: Int = 80,
            burst: Int? = nil,
            retry: StripeRetryPolicy = StripeRetryPolicy(),
            requestTimeout: Duration = .seconds(30),
            pageSize: Int = 100
        ) {
            self.apiKey = apiKey
            self.apiBase = Self.trimmed(apiBase)
            self.versionLegacy = versionLegacy
            self.versionMeter = versionMeter
            self.rateLimit = rateLimit
            self.burst = burst
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.pageSize = pageSize
            self.maximumResponseSize = 1 << 20
        }

        /// The settings with the key redacted to its kind (`sk_test_…`).
        public var description: String {
            "StripeClient.Configuration(apiKey: \(Self.redacted(apiKey)), apiBase: \(apiBase), versionLegacy: \(versionLegacy), "
                + "versionMeter: \(versionMeter), rateLimit: \(rateLimit)/s, maxAttempts: \(retry.maxAttempts), requestTimeout: \(requestTimeout))"
        }

        /// Whether a `Stripe-Version` still has legacy usage records: versions before `2025-03-31` (basil).
        public static func supportsUsageRecords(version: String) -> Bool {
            let date = version.prefix { $0 != "." }
            return date.count == 10 && date < "2025-03-31"
        }

        /// `sk_test_51H…` → `sk_test_…`: the kind of key and mode, nothing of the secret part.
        static func redacted(_ key: String) -> String {
            let parts = key.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, ["sk", "rk", "pk"].contains(parts[0]), ["test", "live"].contains(parts[1]) else { return "<redacted>" }
            return "\(parts[0])_\(parts[1])_…"
        }

        private static func trimmed(_ base: String) -> String {
            var base = base
            while base.hasSuffix("/") { base.removeLast() }
            return base
        }
    }
}
