import ArgumentParser
import BillingCore
import Foundation

/// `meterbridge sign`: print a valid `Stripe-Signature` for a payload file, as Stripe would send it.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print a Stripe-Signature header value for a payload file and secret.",
        discussion: "The file's bytes are signed exactly as they are. Example: curl -H \"Stripe-Signature: $(meterbridge sign event.json --secret whsec_…)\" --data-binary @event.json …"
    )

    @Argument(help: "The payload file (a Stripe event as JSON).")
    var file: String

    @OptionGroup var signing: SigningOptions

    func run() throws {
        let payload = try PayloadFile.read(file)
        print(try signing.signer().header(for: payload, timestamp: signing.timestamp ?? Int64(Date().timeIntervalSince1970)))
    }
}

/// The secret and timestamp `sign` and `send` sign with.
struct SigningOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Webhook secret (repeatable, one v1 each). Default: $MB_WEBHOOK_SECRETS, else the `serve --dev` secret.", valueName: "whsec_…"))
    var secret: [String] = []

    @Option(name: .long, help: ArgumentHelp("Signature timestamp in unix seconds (default: now).", valueName: "seconds"))
    var timestamp: Int64?

    func signer() throws -> WebhookSigner {
        if !secret.isEmpty { return WebhookSigner(secrets: secret) }
        let configured = (ProcessInfo.processInfo.environment["MB_WEBHOOK_SECRETS"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !configured.isEmpty { return WebhookSigner(secrets: configured) }
        if let development = DevelopmentSecret.load() { return WebhookSigner(secret: development) }
        throw ValidationError("no secret: pass --secret whsec_…, set MB_WEBHOOK_SECRETS, or run `meterbridge serve --dev` here first")
    }
}

/// Reads a payload file byte for byte (never re-encoded: the signature covers the exact bytes).
enum PayloadFile {
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path): no such file or not readable")
        }
        return [UInt8](data)
    }
}
