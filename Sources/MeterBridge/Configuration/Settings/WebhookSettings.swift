import BillingCore

/// The webhook endpoint: secrets, signature tolerance, body limit, accepted mode, and client deadlines.
enum WebhookSettings {
    static let secrets = Setting<[String]>(
        "webhook.secrets", environment: "MB_WEBHOOK_SECRETS", default: [],
        values: "whsec_… secrets, comma-separated (a list in a file)",
        summary: "endpoint signing secrets, all accepted (several while a secret rotates)", secret: true,
        at: \.webhook.secrets, parse: signingSecrets, show: { $0.isEmpty ? nil : $0.joined(separator: ",") }
    )
    static let tolerance = Setting<Int64>.integer(
        "webhook.tolerance", environment: "MB_WEBHOOK_TOLERANCE", default: WebhookSignatureVerifier.defaultTolerance, in: 1...86_400,
        unit: "seconds", summary: "how far a signature's timestamp may be from now, either way", at: \.webhook.tolerance
    )
    static let bodyLimit = Setting<Int>.integer(
        "webhook.body_limit", environment: "MB_BODY_LIMIT", default: 2 * 1024 * 1024, in: 1024...(64 * 1024 * 1024),
        unit: "bytes", summary: "the largest delivery accepted; a larger one gets 413", at: \.webhook.bodyLimit
    )
    static let livemode = Setting<LivemodeFilter>.choice(
        "webhook.livemode", environment: "MB_LIVEMODE", default: LivemodeFilter.any,
        summary: "which deliveries are accepted: live mode, test mode, or both", at: \.webhook.livemode
    )
    static let headerTimeout = Setting<Int64>.integer(
        "webhook.header_timeout", environment: "MB_HEADER_TIMEOUT", default: 10, in: 1...3600,
        unit: "seconds", summary: "how long a client has to send a request's head", at: \.webhook.headerTimeout
    )
    static let idleTimeout = Setting<Int64>.integer(
        "webhook.idle_timeout", environment: "MB_IDLE_TIMEOUT", default: 60, in: 1...86_400,
        unit: "seconds", summary: "how long an idle keep-alive connection stays open for its next request", at: \.webhook.idleTimeout
    )
    static let bodyTimeout = Setting<Int64>.integer(
        "webhook.body_timeout", environment: "MB_BODY_TIMEOUT", default: 30, in: 1...3600,
        unit: "seconds", summary: "how long a client has to send a request's body once its head arrived", at: \.webhook.bodyTimeout
    )

    static let all: [any ParsedSetting] = [secrets, tolerance, bodyLimit, livemode, headerTimeout, idleTimeout, bodyTimeout]

    private static func signingSecrets(_ input: SettingInput) throws(ConfigurationError) -> [String] {
        let secrets = try input.items()
        // Never echo a value: it may be a secret pasted into the wrong setting.
        guard secrets.allSatisfy({ $0.hasPrefix("whsec_") }) else {
            throw input.error("each secret must be an endpoint signing secret starting with whsec_ (one does not)")
        }
        return secrets
    }
}
