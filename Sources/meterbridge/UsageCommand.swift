import ArgumentParser
import AsyncHTTPClient
import BillingCore
import Foundation
import NIOCore
import NIOHTTP1

/// `meterbridge usage`: usage in a running instance, through its admin API.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Record usage in a running meterbridge.",
        subcommands: [UsageAddCommand.self]
    )
}

/// `meterbridge usage add`: POST one usage record to `/v1/usage` of a running instance and print its answer.
struct UsageAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record one usage record: POST /v1/usage to a running instance.",
        discussion: """
            Prints the answer, e.g. 202 {"accepted":1,"duplicates":0}; exits 1 with the server's message when it refuses \
            the record. Give --id to make a retry safe: the same id is stored once. Without --id, meterbridge derives one \
            from the record's content, so an identical record sent again counts once.
            """
    )

    @Option(name: .long, help: "The Stripe customer id (cus_…).")
    var customer: String

    @Option(name: .long, help: "A metric of the instance's catalogue (`metrics` in its configuration).")
    var metric: String

    @Option(name: .long, help: "A non-negative integer.")
    var quantity: Int64

    @Option(name: .long, help: ArgumentHelp("When the usage happened, unix seconds (default: the server's now).", valueName: "unix-seconds"))
    var timestamp: Int64?

    @Option(name: .long, help: "Idempotency id of the record (up to 255 bytes).")
    var id: String?

    @Option(name: .long, help: "Base URL of the instance.")
    var url = "http://127.0.0.1:8080"

    @Option(name: .long, help: "Admin token (default: $MB_ADMIN_TOKEN, which keeps it out of the process list).")
    var token: String?

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["MB_ADMIN_TOKEN"], !token.isEmpty else {
            throw ValidationError("no admin token: set MB_ADMIN_TOKEN (or pass --token)")
        }
        var record: JSONObject = ["customer": .string(customer), "metric": .string(metric), "quantity": .int(quantity)]
        if let timestamp { record["timestamp"] = .int(timestamp) }
        if let id { record["id"] = .string(id) }
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        var request = HTTPClientRequest(url: base + "/v1/usage")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(string: JSONValue.object(record).serialized))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw ValidationError("could not reach \(base): \(error). Is `meterbridge serve` running there?")
        }
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(response.status.code) else {
            FileHandle.standardError.write(Data("error: \(response.status.code) \(Self.errorSummary(body))\n".utf8))
            throw ExitCode(1)
        }
        print("\(response.status.code) \(body)")
    }

    /// `code: message` from an error body of SPEC.md §3, or the body as it is.
    static func errorSummary(_ body: String) -> String {
        guard let error = try? JSONParser.parse(body)["error"], let message = error["message"]?.stringValue else { return body }
        return (error["code"]?.stringValue).map { "\($0): \(message)" } ?? message
    }
}
