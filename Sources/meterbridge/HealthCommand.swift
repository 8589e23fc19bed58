import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `meterbridge health`: probe a running instance's `/readyz`; exit 0 when ready (for container health checks).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Probe /readyz of a running instance; exit 0 when ready, 1 when not."
    )

    @Option(name: .long, help: "Base URL of the instance.")
    var url = "http://127.0.0.1:8080"

    @Option(name: .long, help: "Seconds to wait for an answer.")
    var timeout: Int64 = 5

    @Flag(name: .long, help: "Print nothing; only the exit code tells.")
    var quiet = false

    func run() async throws {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(timeout))
        } catch {
            if !quiet { print("not ready: cannot reach \(base)/readyz: \(error)") }
            throw ExitCode(1)
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        if !quiet { print("\(response.status.code) \(String(buffer: body))") }
        guard response.status.code == 200 else { throw ExitCode(1) }
    }
}
