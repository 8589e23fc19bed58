import BillingCore
import BillingStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// What the application needs from its store: the inbox and the derived billing state.
public typealias MeterBridgeStore = BillingStateStore & InboxStore

/// The composition root: one place that wires configuration, store, metrics and routes into a runnable application.
public enum MeterBridgeApp {
    /// Builds the HTTP application. `serve`, the tests and the demo all come through here.
    ///
    /// - Parameters:
    ///   - services: long-running services (store, processor …) the application's ServiceGroup runs and shuts
    ///     down after the HTTP server, so in-flight requests can still commit while the server drains.
    public static func buildApplication(
        configuration: MeterBridgeConfiguration,
        store: any MeterBridgeStore,
        metrics: MeterBridgeMetrics,
        clock: any UnixClock = SystemUnixClock(),
        signal: WorkSignal = WorkSignal(),
        services: [any Service] = [],
        logger: Logger
    ) throws -> some ApplicationProtocol {
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
                signal: signal
            ).register(on: router)
        }
        HealthController(inbox: inbox, clock: clock, metrics: metrics).register(on: router)
        AdminController(state: store, token: configuration.adminToken).register(on: router)
        return Application(
            router: router,
            server: try serverBuilder(configuration),
            configuration: .init(
                address: .hostname(configuration.listen.host, port: configuration.listen.port),
                serverName: "meterbridge",
                backlog: 1024
            ),
            services: services,
            logger: logger
        )
    }

    /// The services behind the listener: the event processor and the timer scheduler, in start order.
    public static func backgroundServices(
        configuration: MeterBridgeConfiguration,
        store: any MeterBridgeStore,
        metrics: MeterBridgeMetrics,
        clock: any UnixClock = SystemUnixClock(),
        signal: WorkSignal,
        logger: Logger
    ) -> [any Service] {
        let machine = machineConfiguration(configuration)
        var processing = EventProcessor.Configuration()
        processing.machine = machine
        return [
            EventProcessor(inbox: store, state: store, clock: clock, signal: signal, configuration: processing, metrics: metrics, logger: logger),
            TimerScheduler(state: store, clock: clock, machine: machine, logger: logger),
        ]
    }

    /// The state machine's settings from the service configuration (SPEC.md §4 flush.* and migration.*).
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
