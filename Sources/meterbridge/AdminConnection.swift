import ArgumentParser
import AsyncHTTPClient
import BillingCore
import Foundation
import NIOCore
import NIOHTTP1

/// Where a running instance's admin API is, and its token: shared by the commands that talk to one.
struct AdminConnection: ParsableArguments {
    @Option(name: .long, help: "Base URL of the instance.")
    var url = "http://127.0.0.1:8080"

    @Option(name: .long, help: "Admin token (default: $MB_ADMIN_TOKEN, which keeps it out of the process list).")
    var token: String?

    /// Sends `body` (JSON) to `path`; prints the answer and returns it on 2xx, exits 1 with the server's message otherwise.
    func send(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> String {
        guard let token = token ?? ProcessInfo.processInfo.environment["MB_ADMIN_TOKEN"], !token.isEmpty else {
            throw ValidationError("no admin token: set MB_ADMIN_TOKEN (or pass --token)")
        }
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        } catch {
            throw ValidationError("could not reach \(base): \(error). Is `meterbridge serve` running there?")
        }
        let text = String(buffer: try await response.body.collect(upTo: 1 << 22))
        guard (200..<300).contains(response.status.code) else {
            FileHandle.standardError.write(Data("error: \(response.status.code) \(Self.errorSummary(text))\n".utf8))
            throw ExitCode(1)
        }
        return text
    }

    /// `code: message` from an error body (docs/http-api.md, "Errors"), or the body as it is.
    static func errorSummary(_ body: String) -> String {
        guard let error = try? JSONParser.parse(body)["error"], let message = error["message"]?.stringValue else { return body }
        return (error["code"]?.stringValue).map { "\($0): \(message)" } ?? message
    }
}
