import AsyncHTTPClient
import BillingCore
import Foundation
import MeterBridgeTesting
import NIOCore
import NIOHTTP1
import StripeDouble
import StripeEventBuilders
import Synchronization
import Testing

/// SIGKILL during flushes: after restarts, Stripe (the double, honouring idempotency keys) has every unit once.
@Suite(.serialized)
struct ReportingCrashTests {
    static let secret = "whsec_reporting_crash"
    static let token = "admin-token-reporting-crash"
    static let apiKey = "sk_test_reporting_crash"

    @Test func killedDuringFlushesNothingIsLostAndNothingCountedTwice() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let now = Int64(Date().timeIntervalSince1970)
        let story = BillingStory(shape: .basil, subscriptionID: "sub_crash", start: now - 86_400)
        let item = "si_sub_crash_api"

        // The double runs on the wall clock, like Stripe; slow answers and dropped connections make the kills land
        // mid-call, after Stripe applied a record but before meterbridge heard the answer.
        let stripe = StripeAPIDouble(configuration: .init(apiKeys: [Self.apiKey]))
        stripe.addCustomer("cus_story")
        stripe.addSubscriptionItem(.legacyMetered(id: item, subscription: story.subscriptionID, customer: "cus_story", currentPeriod: story.firstPeriod))
        stripe.setRandomFaults(RandomFaults(seed: 11, rates: [
            .init(.slow(.milliseconds(150)), probability: 0.5), .init(.dropConnection(.afterApplying), probability: 0.2),
        ]), on: .createUsageRecord)
        let base = try await stripe.start()
        do {
            try await Self.crashAndRestart(stripe: stripe, base: base, story: story, item: item, directory: directory, now: now)
        } catch {
            await stripe.stop()
            throw error
        }
        await stripe.stop()
    }

    static func crashAndRestart(stripe: StripeAPIDouble, base: URL, story: BillingStory, item: String, directory: TemporaryDirectory, now: Int64) async throws {

        let config = try RealServer.writeCatalogue(in: directory)
        let binary = try ServerProcess.builtBinary()
        func start(_ round: Int) async throws -> ServerProcess {
            let port = try ServerProcess.freePort()
            var environment = RealServer.environment(port: port, databasePath: directory.databasePath, secret: Self.secret)
            environment["MB_CONFIG"] = config
            environment["MB_ADMIN_TOKEN"] = Self.token
            environment["STRIPE_API_KEY"] = Self.apiKey
            environment["MB_STRIPE_API_BASE"] = base.absoluteString
            environment["MB_FLUSH_INTERVAL"] = "1"
            let server = try ServerProcess(binary: binary, port: port, environment: environment, logFile: "\(directory.path)/serve-\(round).log")
            try await server.waitUntilServing()
            return server
        }

        var server = try await start(0)
        #expect(try await RealServer.deliver(story.created, secret: Self.secret, to: "http://127.0.0.1:\(server.port)").status == 200)
        var recorded: Int64 = 0
        var sequence = 0
        for round in 1...3 {
            // Usage keeps coming while flushes run every second; the kill lands at a random moment.
            let killAt = ContinuousClock.now + .milliseconds(Int.random(in: 1200...2500))
            while ContinuousClock.now < killAt {
                sequence += 1
                let quantity = Int64(sequence % 7 + 1)
                if try await record(quantity, id: "use_\(sequence)", at: now - 60, port: server.port) { recorded += quantity }
                try await Task.sleep(for: .milliseconds(20))
            }
            server.kill()
            server = try await start(round)
        }

        // The last instance reports what is left; Stripe's total must settle at exactly what was recorded.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, (stripe.billedUsage(item: item, period: story.firstPeriod) ?? 0) < recorded {
            try await Task.sleep(for: .milliseconds(200))
        }
        try await Task.sleep(for: .seconds(2))  // had anything been sent twice, it would show by now
        #expect(recorded > 0)
        #expect(stripe.billedUsage(item: item, period: story.firstPeriod) == recorded, "\(server.log)")
        #expect(stripe.requests(to: .createUsageRecord).contains { $0.replayed }, "no kill landed after Stripe applied a record")
        #expect(server.terminate() == 0)
    }

    /// Posts one usage record; true when meterbridge acknowledged it (so it must be billed).
    static func record(_ quantity: Int64, id: String, at timestamp: Int64, port: Int) async throws -> Bool {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/usage")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"customer":"cus_story","metric":"api_requests","quantity":\#(quantity),"timestamp":\#(timestamp),"id":"\#(id)"}"#))
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status == .accepted
    }
}
