import BillingCore
import Foundation

/// Everything meterbridge reads from its config file and environment (SPEC.md §4), with the defaults filled in.
public struct MeterBridgeConfiguration: Sendable, Equatable {
    /// Where the store lives: `database_url` / `MB_DATABASE_URL` (`sqlite:meterbridge.sqlite`).
    public var database: DatabaseLocation = .sqlite(path: "meterbridge.sqlite")
    /// `listen` / `MB_LISTEN`: host and port (`127.0.0.1:8080`).
    public var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    /// `tls.cert` + `tls.key` / `MB_TLS_CERT` + `MB_TLS_KEY`: PEM files; HTTPS when both are set.
    public var tls: TLSFiles?
    public var webhook = Webhook()
    /// `admin_token` / `MB_ADMIN_TOKEN`: bearer token for `/v1/*`; the admin API is off when unset. Secret.
    public var adminToken: String?
    public var stripe = Stripe()
    public var flush = Flush()
    public var migration = Migration()
    /// `metrics`: the metric catalogue, by metric name.
    public var metrics: [String: MetricDefinition] = [:]

    public init() {}

    /// The webhook endpoint's settings.
    public struct Webhook: Sendable, Equatable {
        /// `webhook.secrets` / `MB_WEBHOOK_SECRETS`: every `whsec_…` secret accepted (rotation). Secret.
        public var secrets: [String] = []
        /// `webhook.tolerance` / `MB_WEBHOOK_TOLERANCE`: seconds (300).
        public var tolerance: Int64 = WebhookSignatureVerifier.defaultTolerance
        /// `webhook.body_limit` / `MB_BODY_LIMIT`: bytes (2 MiB).
        public var bodyLimit = 2 * 1024 * 1024
        /// `webhook.livemode` / `MB_LIVEMODE`: which deliveries are accepted (`any`).
        public var livemode: LivemodeFilter = .any
        /// `webhook.header_timeout`: seconds a client has to send a request's head (10).
        public var headerTimeout: Int64 = 10
        /// `webhook.idle_timeout`: seconds an idle keep-alive connection is kept open (60).
        public var idleTimeout: Int64 = 60
        /// `webhook.body_timeout`: seconds a client has to send a request's body once its head arrived (30).
        public var bodyTimeout: Int64 = 30

        public init() {}
    }

    /// Outbound calls to Stripe.
    public struct Stripe: Sendable, Equatable {
        /// `stripe.api_key` / `STRIPE_API_KEY`: `sk_…` or `rk_…`; reporting pauses (usage kept) when unset. Secret.
        public var apiKey: String?
        /// `stripe.api_base` / `MB_STRIPE_API_BASE` (`https://api.stripe.com`).
        public var apiBase = "https://api.stripe.com"
        /// `stripe.version_legacy` / `MB_STRIPE_VERSION_LEGACY` (`2025-02-24.acacia`): usage records need acacia or earlier.
        public var versionLegacy = "2025-02-24.acacia"
        /// `stripe.version_meter` / `MB_STRIPE_VERSION_METER` (`2025-02-24.acacia`).
        public var versionMeter = "2025-02-24.acacia"
        /// `stripe.rate_limit` / `MB_RATE_LIMIT`: calls per second (80; 20 for test-mode keys).
        public var rateLimit = 80

        public init() {}
    }

    /// When usage is reported.
    public struct Flush: Sendable, Equatable {
        /// `flush.interval` / `MB_FLUSH_INTERVAL`: seconds between regular reports (60).
        public var interval: Int64 = 60
        /// `flush.boundary_lead` / `MB_BOUNDARY_LEAD`: seconds before a known boundary for the pre-boundary flush (300).
        public var boundaryLead: Int64 = 300
        /// `flush.subscription_grace` / `MB_SUBSCRIPTION_GRACE`: seconds that meter-metric usage of a product none of
        /// the customer's known subscriptions has waits for one (whose webhook may still be on its way) before it is
        /// sent as customer-level meter events (300).
        public var subscriptionGrace: Int64 = 300
        /// `flush.planning_window` / `MB_PLANNING_WINDOW`: pending usage records planned at once (300,000, about 100
        /// bytes each in memory). A flush sends one report per item while no more than this is pending.
        public var planningWindow = 300_000

        public init() {}
    }

    /// The move from usage records to meter events.
    public struct Migration: Sendable, Equatable {
        /// `migration.shadow_meter` / `MB_SHADOW_METER` (true).
        public var shadowMeter = true
        /// `migration.midcycle_rereport` / `MB_MIDCYCLE_REREPORT` (true).
        public var midcycleRereport = true

        public init() {}
    }
}

/// `sqlite:PATH` or `postgres://user:pass@host:port/db`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// The location with any password replaced, for logs.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url):
            guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else {
                return url
            }
            return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
        }
    }
}

/// A host and port to listen on.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// PEM certificate chain and private key for native HTTPS.
public struct TLSFiles: Sendable, Equatable {
    public var certificatePath: String
    public var privateKeyPath: String

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}

/// Which Stripe mode's deliveries the endpoint accepts.
public enum LivemodeFilter: String, Sendable, Equatable, CaseIterable {
    case live, test, any

    /// Whether a delivery with this `livemode` flag is accepted.
    public func accepts(livemode: Bool) -> Bool {
        switch self {
        case .any: true
        case .live: livemode
        case .test: !livemode
        }
    }
}

/// One entry of the metric catalogue: which Stripe product and meter a usage metric bills through.
public struct MetricDefinition: Sendable, Equatable {
    /// Stripe product of both the legacy and the meter price.
    public var product: String
    /// The billing meter's `event_name`; nil for a metric billed through legacy usage records only (its usage
    /// waits for a subscription, since only meters take usage without one).
    public var meterEventName: String?
    /// `sum` (increment / sum meter) or `last` (set / last meter).
    public var aggregation: Aggregation

    public init(product: String, meterEventName: String?, aggregation: Aggregation) {
        self.product = product
        self.meterEventName = meterEventName
        self.aggregation = aggregation
    }

    /// How a metric's usage within a period adds up.
    public enum Aggregation: String, Sendable, Equatable, CaseIterable {
        case sum, last
    }
}
