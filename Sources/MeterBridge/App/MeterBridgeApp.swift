import BillingCore
import BillingStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import StripeAPI
import AsyncHTTPClient
import SystemClock

/// What the application needs from its store: the inbox, the derived billing state and the usage ledger.
public typealias MeterBridgeStore = BillingStateStore & InboxStore & UsageLedgerStore & UsageReportStore

/// The composition root: one place that wires configuration, store, metrics, services and routes together.
/// `serve`, the tests and the demo all build the service through here.
public struct MeterBridgeRuntime: Sendable {
    public let configuration: MeterBridgeConfiguration
    public let store: any MeterBridgeStore
    public let metrics: MeterBridgeMetrics
    public let clock: any UnixClock
    public let logger: Logger
    /// Poked when an event is stored: the processor starts on it at once.
    public let eventSignal = WorkSignal()
    /// Poked when committed actions ask for a flush: the reporter runs a round at once.
    public let reportSignal = WorkSignal()
    public let reporterStatus: ReporterStatus
    public let processor: EventProcessor
    public let scheduler: TimerScheduler
    public let reporter: UsageReporter

    /// - Parameter stripe: the Stripe client; by default one over the shared HTTP client when `stripe.api_key` is
    ///   set, none otherwise (reporting paused, usage kept).
    public init(
        configuration: MeterBridgeConfiguration,
        store: any MeterBridgeStore,
        metrics: MeterBridgeMetrics = MeterBridgeMetrics(),
        clock: any UnixClock = SystemUnixClock(),
        stripe: (any StripeUsageClient)?? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        let client = stripe ?? Self.defaultClient(configuration, metrics: metrics, logger: logger)
        reporterStatus = ReporterStatus(reportingEnabled: client != nil)
        let machine = Self.machineConfiguration(configuration)
        var processing = EventProcessor.Configuration()
        processing.machine = machine
        // Only a store several instances share leases work (PostgreSQL); one SQLite file has one `serve`.
        let leases = store as? any WorkLeasing
        processor = EventProcessor(
            inbox: store, state: store, leases: leases, clock: clock, signal: eventSignal, actionsSignal: reportSignal,
            configuration: processing, metrics: metrics, logger: logger
        )
        scheduler = TimerScheduler(state: store, leases: leases, clock: clock, machine: machine, actionsSignal: reportSignal, logger: logger)
        var reporting = UsageReporter.Configuration()
        reporting.interval = .seconds(configuration.flush.interval)
        reporting.subscriptionGrace = configuration.flush.subscriptionGrace
        reporting.planningWindow = configuration.flush.planningWindow
        reporting.machine = machine
        let lookup = client.map { SubscriptionLookup(client: $0, inbox: store, state: store, machine: machine, clock: clock, logger: logger) }
        reporter = UsageReporter(
            ledger: store, state: store, leases: leases, client: client, catalogue: configuration.metrics, clock: clock, signal: reportSignal,
            status: reporterStatus, configuration: reporting, metrics: metrics, logger: logger, lookup: lookup
        )
    }

    /// The services behind the listener, in start order (a service group stops them in reverse).
    public var services: [any Service] { [processor, scheduler, reporter] }

    /// Builds the HTTP application.
    ///
    /// - Parameters:
    ///   - services: long-running services (the store …) the application's ServiceGroup runs and shuts down after
    ///     the HTTP server, so in-flight requests can still commit while the server drains.
    public func buildApplication(services: [any Service] = []) throws -> some ApplicationProtocol {
        let inbox: any InboxStore = store
        let router = Router(context: BasicRequestContext.self)
        if !configuration.webhook.secrets.isEmpty {
            WebhookController(
                verifier: WebhookSignatureVerifier(secrets: configuration.webhook.secrets, tolerance: configuration.webhook.tolerance),
                livemode: configuration.webhook.livemode,
                bodyLimit: configuration.webhook.bodyLimit,
                inbox: inbox,
                clock: clock,
                metrics: metrics,
                signal: eventSignal
            ).register(on: router)
        }
        HealthController(inbox: inbox, ledger: store, reporter: reporterStatus, clock: clock, metrics: metrics).register(on: router)
        AdminController(state: store, reporter: reporter, token: configuration.adminToken).register(on: router)
        UsageController(ledger: store, catalogue: configuration.metrics, token: configuration.adminToken, clock: clock, metrics: metrics).register(on: router)
        return Application(
            router: router,
            server: try Self.serverBuilder(configuration),
            configuration: .init(
                address: .hostname(configuration.listen.host, port: configuration.listen.port),
                serverName: "meterbridge",
                backlog: 1024
            ),
            services: services,
            logger: logger
        )
    }

    static func defaultClient(_ configuration: MeterBridgeConfiguration, metrics: MeterBridgeMetrics, logger: Logger) -> (any StripeUsageClient)? {
        guard let key = configuration.stripe.apiKey else { return nil }
        return StripeClient(
            configuration: .init(
                apiKey: key, apiBase: configuration.stripe.apiBase, versionLegacy: configuration.stripe.versionLegacy,
                versionMeter: configuration.stripe.versionMeter, rateLimit: configuration.stripe.rateLimit
            ),
            httpClient: .shared, logger: logger, observer: StripeMetricsObserver(factory: metrics.factory)
        )
    }

    /// The state machine's settings from the service configuration (flush.* and migration.*, docs/configuration.md).
    public static func machineConfiguration(_ configuration: MeterBridgeConfiguration) -> BillingMachineConfiguration {
        var machine = BillingMachineConfiguration()
        machine.boundaryLead = configuration.flush.boundaryLead
        machine.shadowMeter = configuration.migration.shadowMeter
        machine.midcycleRereport = configuration.migration.midcycleRereport
        return machine
    }

    static func serverBuilder(_ configuration: MeterBridgeConfiguration) throws -> HTTPServerBuilder {
        let webhook = configuration.webhook
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [
                    RequestTimeoutHandler(
                        headTimeout: .seconds(webhook.headerTimeout),
                        nextHeadTimeout: .seconds(webhook.idleTimeout),
                        bodyTimeout: .seconds(webhook.bodyTimeout)
                    )
                ],
                idleTimeout: .seconds(webhook.idleTimeout)
            )
        )
        guard let tls = configuration.tls else { return http1 }
        return try .tls(http1, tlsConfiguration: try tlsConfiguration(tls))
    }

    /// A server TLS configuration from PEM files, TLS 1.2 or newer.
    static func tlsConfiguration(_ files: TLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath)
        } catch {
            throw ConfigurationError(key: "tls.cert", source: files.certificatePath, message: "cannot read a PEM certificate chain: \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem)
        } catch {
            throw ConfigurationError(key: "tls.key", source: files.privateKeyPath, message: "cannot read a PEM private key: \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
