import AsyncHTTPClient
import Foundation
import MeterBridge
import MeterBridgeTesting
import NIOCore
import NIOHTTP1
import StripeEventBuilders
import Testing

/// The real binary: signed events posted over HTTP become subscription state, and it is still there after a restart.
@Suite(.serialized)
struct RealServerBillingTests {
    static let secret = "whsec_real_server_billing"
    static let token = "admin-token-real-server"

    @Test func postedEventsBecomeStateThatSurvivesARestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let story = BillingStory(shape: .basil, start: Int64(Date().timeIntervalSince1970) - 86_400)
        let binary = try ServerProcess.builtBinary()

        var server = try await start(binary, directory, log: "first")
        let base = "http://127.0.0.1:\(server.port)"
        for payload in [story.migrationPlanned, story.created] {
            #expect(try await RealServer.deliver(payload, secret: Self.secret, to: base).status == 200)
        }
        let processed = try await Self.waitFor(base: base, subscription: story.subscriptionID) { view in
            view.items.first?.periods.count == 1 && !view.plannedTransitions.isEmpty
        }
        #expect(processed.items.first?.mode == "legacy")
        #expect(processed.items.first?.periods.first?.state == "open")
        #expect(processed.plannedTransitions.first?.toMode == "meter")
        #expect(processed.timers.count == 2)
        #expect(server.terminate() == 0, "graceful shutdown failed:\n\(server.log)")

        // The operator's view of the same store, from the command line.
        let status = try CommandRun.run(binary, ["status", "--json", "--database-url", "sqlite:\(directory.databasePath)"])
        #expect(status.status == 0, "\(status.errors)")
        #expect(status.output.contains("\"id\" : \"\(story.subscriptionID)\""))
        #expect(status.output.contains("\"mode\" : \"legacy\""))
        let missing = try CommandRun.run(binary, ["status", "--subscription", "sub_nope", "--database-url", "sqlite:\(directory.databasePath)"])
        #expect(missing.status != 0)
        #expect(missing.errors.contains("no subscription sub_nope"))

        server = try await start(binary, directory, log: "second")
        let restarted = try await Self.waitFor(base: "http://127.0.0.1:\(server.port)", subscription: story.subscriptionID) { _ in true }
        #expect(restarted == processed)
        #expect(server.terminate() == 0)
    }

    private func start(_ binary: String, _ directory: TemporaryDirectory, log: String) async throws -> ServerProcess {
        let port = try ServerProcess.freePort()
        var environment = RealServer.environment(port: port, databasePath: directory.databasePath, secret: Self.secret)
        environment["MB_ADMIN_TOKEN"] = Self.token
        let server = try ServerProcess(binary: binary, port: port, environment: environment, logFile: "\(directory.path)/serve-\(log).log")
        try await server.waitUntilServing()
        return server
    }

    /// Polls `GET /v1/subscriptions/{id}` until `condition` holds, or fails after a deadline.
    static func waitFor(
        base: String, subscription id: String, token: String = token, timeout: Duration = .seconds(30), _ condition: (SubscriptionView) -> Bool
    ) async throws -> SubscriptionView {
        let deadline = ContinuousClock.now + timeout
        var last = "no answer"
        while ContinuousClock.now < deadline {
            var request = HTTPClientRequest(url: "\(base)/v1/subscriptions/\(id)")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) {
                let body = try await response.body.collect(upTo: 1 << 20)
                last = "\(response.status.code) \(String(buffer: body))"
                if response.status.code == 200 {
                    let decoder = JSONDecoder()
                    decoder.keyDecodingStrategy = .convertFromSnakeCase
                    let view = try decoder.decode(SubscriptionView.self, from: Data(body.readableBytesView))
                    if condition(view) { return view }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerProcessError(message: "subscription \(id) never reached the expected state; last answer: \(last)")
    }
}
