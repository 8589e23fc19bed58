/// The contract's settings: each config-file key with the environment variable that overrides it (SPEC.md §4).
struct ConfigurationKey: Sendable, Hashable {
    let key: String
    let environment: String?

    static let all: [ConfigurationKey] = [
        .init(key: "database_url", environment: "MB_DATABASE_URL"),
        .init(key: "listen", environment: "MB_LISTEN"),
        .init(key: "tls.cert", environment: "MB_TLS_CERT"),
        .init(key: "tls.key", environment: "MB_TLS_KEY"),
        .init(key: "webhook.secrets", environment: "MB_WEBHOOK_SECRETS"),
        .init(key: "webhook.tolerance", environment: "MB_WEBHOOK_TOLERANCE"),
        .init(key: "webhook.body_limit", environment: "MB_BODY_LIMIT"),
        .init(key: "webhook.livemode", environment: "MB_LIVEMODE"),
        .init(key: "webhook.header_timeout", environment: "MB_HEADER_TIMEOUT"),
        .init(key: "webhook.idle_timeout", environment: "MB_IDLE_TIMEOUT"),
        .init(key: "webhook.body_timeout", environment: "MB_BODY_TIMEOUT"),
        .init(key: "admin_token", environment: "MB_ADMIN_TOKEN"),
        .init(key: "stripe.api_key", environment: "STRIPE_API_KEY"),
        .init(key: "stripe.api_base", environment: "MB_STRIPE_API_BASE"),
        .init(key: "stripe.version_legacy", environment: "MB_STRIPE_VERSION_LEGACY"),
        .init(key: "stripe.version_meter", environment: "MB_STRIPE_VERSION_METER"),
        .init(key: "stripe.rate_limit", environment: "MB_RATE_LIMIT"),
        .init(key: "flush.interval", environment: "MB_FLUSH_INTERVAL"),
        .init(key: "flush.boundary_lead", environment: "MB_BOUNDARY_LEAD"),
        .init(key: "flush.subscription_grace", environment: "MB_SUBSCRIPTION_GRACE"),
        .init(key: "flush.planning_window", environment: "MB_PLANNING_WINDOW"),
        .init(key: "migration.shadow_meter", environment: "MB_SHADOW_METER"),
        .init(key: "migration.midcycle_rereport", environment: "MB_MIDCYCLE_REREPORT"),
        .init(key: "metrics", environment: nil),
    ]

    static let byKey: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
}
