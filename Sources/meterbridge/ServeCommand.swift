import ArgumentParser
import BillingStore
import Foundation
import Hummingbird
import Logging
import MeterBridge
import ServiceLifecycle
import UnixSignals

/// `meterbridge serve`: the webhook listener and everything behind it, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the webhook listener, health and metrics endpoints on the configured store.",
        discussion: """
            HTTPS when tls.cert and tls.key are set (MB_TLS_CERT, MB_TLS_KEY). SIGTERM or SIGINT stops accepting, finishes in-flight \
            commits and closes the store.


            """ + MeterBridgeSettings.helpText
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Store webhooks and usage but neither process nor report them: for a maintenance window or an ingest-only front instance; a normal `serve` processes the backlog later.")
    var ingestOnly = false

    @Flag(help: "Development mode: when no webhook secret is configured, generate one, keep it in .meterbridge-dev-secret and print it.")
    var dev = false

    func run() async throws {
        var configuration = try global.loadConfiguration()
        let logger = global.makeLogger(defaultLevel: .info)
        if configuration.webhook.secrets.isEmpty {
            guard dev else {
                throw ConfigurationError(key: "webhook.secrets", message: "no webhook signing secret; set MB_WEBHOOK_SECRETS=whsec_… (Stripe dashboard → Webhooks → your endpoint) or run `serve --dev`")
            }
            configuration.webhook.secrets = [try DevelopmentSecret.loadOrCreate()]
            // Written unbuffered: under `make run` stdout is often a pipe, and the line must show before the logs.
            FileHandle.standardOutput.write(Data("""
                Development webhook secret: \(configuration.webhook.secrets[0])
                  (kept in \(DevelopmentSecret.path); `meterbridge send FILE` signs with it, or export MB_WEBHOOK_SECRETS to reuse it)

                """.utf8))
        }
        // Held while serving, so `replay --rebuild` refuses to run beside this process (and serve refuses during one).
        let lock: StoreLock? = if case .sqlite(let path) = configuration.database { try StoreLock.forServing(databasePath: path) } else { nil }
        defer { withExtendedLifetime(lock) {} }
        let database = try await StoreOpener.open(configuration, logger: logger)
        let runtime = MeterBridgeRuntime(configuration: configuration, store: database, logger: logger)
        // Listed in start order; the service group stops them in reverse, the store last.
        let background = ingestOnly ? [] : runtime.services
        if ingestOnly { logger.notice("Ingest only: events and usage are stored, not processed or reported") }
        let app = try runtime.buildApplication(services: [StoreService(store: database, logger: logger)] + background)
        let scheme = configuration.tls == nil ? "http" : "https"
        logger.info("meterbridge serving", metadata: [
            "listen": "\(scheme)://\(configuration.listen)", "store": "\(configuration.database)",
            "webhook.secrets": "\(configuration.webhook.secrets.count)", "webhook.livemode": "\(configuration.webhook.livemode.rawValue)",
        ])
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// The webhook secret `serve --dev` generates once and reuses, so restarts and `send` agree on it.
enum DevelopmentSecret {
    static let path = ".meterbridge-dev-secret"

    static func load() -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return secret.hasPrefix("whsec_") ? secret : nil
    }

    static func loadOrCreate() throws -> String {
        if let secret = load() { return secret }
        var generator = SystemRandomNumberGenerator()
        let secret = "whsec_dev_" + (0..<32).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16).leftPadded }.joined()
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        return secret
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
