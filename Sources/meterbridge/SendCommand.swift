import ArgumentParser
import AsyncHTTPClient
import BillingCore
import Foundation
import NIOCore
import NIOHTTP1
import SystemClock

/// `meterbridge send`: POST a signed payload to a webhook URL, to exercise a deployment without Stripe.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Sign a payload file and POST it to a meterbridge webhook endpoint.",
        discussion: "Exits 0 when the endpoint answers 2xx and prints its answer."
    )

    @Argument(help: "The payload file (a Stripe event as JSON).")
    var file: String

    @Option(name: .long, help: "The endpoint.")
    var url = "http://127.0.0.1:8080/webhooks/stripe"

    @OptionGroup var signing: SigningOptions

    func run() async throws {
        let payload = try PayloadFile.read(file)
        let header = try signing.signer().header(for: payload, timestamp: signing.timestamp ?? SystemUnixClock().now.seconds)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Stripe-Signature", value: header)
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw ValidationError("could not reach \(url): \(error). Is `meterbridge serve` running there?")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        print("\(response.status.code) \(String(buffer: body))")
        guard (200..<300).contains(response.status.code) else { throw ExitCode(1) }
    }
}
