import Foundation

/// Everything meterbridge reads from its config file and environment, with the defaults filled in. Each setting's key,
/// environment variable, default and meaning are declared once, in `MeterBridgeSettings` (the groups in `Settings/`);
/// the defaults below are read from there.
public struct MeterBridgeConfiguration: Sendable, Equatable {
    public var database: DatabaseLocation = StoreSettings.databaseURL.defaultValue
    public var listen: ListenAddress = ServerSettings.listen.defaultValue
    public var tlsCertificatePath: String? = ServerSettings.tlsCertificate.defaultValue
    public var tlsKeyPath: String? = ServerSettings.tlsKey.defaultValue
    public var webhook = Webhook()
    /// The admin API is off while this is nil. Secret.
    public var adminToken: String? = AdminSettings.token.defaultValue
    public var stripe = Stripe()
    public var flush = Flush()
    public var migration = Migration()
    /// The metric catalogue, by metric name.
    public var metrics: [String: MetricDefinition] = MetricSettings.catalogue.defaultValue

    public init() {}

    /// The certificate and key for native HTTPS, when both are set (the loader refuses one without the other).
    public var tls: TLSFiles? {
        guard let tlsCertificatePath, let tlsKeyPath else { return nil }
        return TLSFiles(certificatePath: tlsCertificatePath, privateKeyPath: tlsKeyPath)
    }

    /// The webhook endpoint's settings (`WebhookSettings`).
    public struct Webhook: Sendable, Equatable {
        /// Secret.
        public var secrets: [String] = WebhookSettings.secrets.defaultValue
        public var tolerance: Int64 = WebhookSettings.tolerance.defaultValue
        public var bodyLimit: Int = WebhookSettings.bodyLimit.defaultValue
        public var livemode: LivemodeFilter = WebhookSettings.livemode.defaultValue
        public var headerTimeout: Int64 = WebhookSettings.headerTimeout.defaultValue
        public var idleTimeout: Int64 = WebhookSettings.idleTimeout.defaultValue
        public var bodyTimeout: Int64 = WebhookSettings.bodyTimeout.defaultValue

        public init() {}
    }

    /// Outbound calls to Stripe (`StripeSettings`).
    public struct Stripe: Sendable, Equatable {
        /// Reporting pauses (usage is kept) while this is nil. Secret.
        public var apiKey: String? = StripeSettings.apiKey.defaultValue
        public var apiBase: String = StripeSettings.apiBase.defaultValue
        public var versionLegacy: String = StripeSettings.versionLegacy.defaultValue
        public var versionMeter: String = StripeSettings.versionMeter.defaultValue
        public var rateLimit: Int = StripeSettings.rateLimit.defaultValue

        public init() {}
    }

    /// When usage is reported (`FlushSettings`).
    public struct Flush: Sendable, Equatable {
        public var interval: Int64 = FlushSettings.interval.defaultValue
        public var boundaryLead: Int64 = FlushSettings.boundaryLead.defaultValue
        public var subscriptionGrace: Int64 = FlushSettings.subscriptionGrace.defaultValue
        public var planningWindow: Int = FlushSettings.planningWindow.defaultValue

        public init() {}
    }

    /// The move from usage records to meter events (`MigrationSettings`).
    public struct Migration: Sendable, Equatable {
        public var shadowMeter: Bool = MigrationSettings.shadowMeter.defaultValue
        public var midcycleRereport: Bool = MigrationSettings.midcycleRereport.defaultValue

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
