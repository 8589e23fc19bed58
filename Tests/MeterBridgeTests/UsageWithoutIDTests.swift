import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import NIOCore
import NIOHTTP1
import Testing

/// Usage sent without an `id` is new usage every time, as Stripe counts a meter event without an `identifier`
/// (https://docs.stripe.com/api/billing/meter-event/create): only a client `id` makes a retry a duplicate.
@Suite(.serialized)
struct UsageWithoutIDTests {
    /// Posts one record without an `id` (and without a timestamp when `timestamp` is nil); returns the answer's body.
    static func postWithoutID(_ world: ReportingWorld, quantity: Int64, timestamp: Int64?) async throws -> String {
        let time = timestamp.map { #","timestamp":\#($0)"# } ?? ""
        let body = #"{"customer":"\#(ReportingWorld.customer)","metric":"api_requests","quantity":\#(quantity)\#(time)}"#
        let response = try await world.client.execute(
            uri: "/v1/usage", method: .post,
            headers: [.authorization: "Bearer \(ReportingWorld.token)", .contentType: "application/json"], body: ByteBuffer(string: body)
        )
        #expect(response.status == .accepted)
        return String(buffer: response.body)
    }

    @Test func identicalUsageWithoutAnIDSentTwiceIsBilledTwice() async throws {
        try await ReportingWorld.run { world in
            try await world.deliver(world.story.created)
            let timestamp = world.now - 60
            // A product posting `quantity: 1` per API call, with and without its own timestamp: four calls, four units.
            for _ in 0..<2 {
                #expect(try await Self.postWithoutID(world, quantity: 1, timestamp: timestamp) == #"{"accepted":1,"duplicates":0}"#)
                #expect(try await Self.postWithoutID(world, quantity: 1, timestamp: nil) == #"{"accepted":1,"duplicates":0}"#)
            }
            try await world.flush()
            #expect(world.legacyBilled(world.story.firstPeriod) == 4)
            #expect(try await world.customerUsage().metrics.first?.recorded == 4)
        }
    }

    @Test func usageAddTwiceWithoutAnIDRecordsBoth() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try RealServer.writeCatalogue(in: directory)
        let binary = try ServerProcess.builtBinary()
        let port = try ServerProcess.freePort()
        var environment = RealServer.environment(port: port, databasePath: directory.databasePath, secret: "whsec_usage_add")
        environment["MB_CONFIG"] = config
        environment["MB_ADMIN_TOKEN"] = "admin-token-usage-add"
        let server = try ServerProcess(binary: binary, port: port, environment: environment, logFile: "\(directory.path)/serve.log")
        try await server.waitUntilServing()
        defer { _ = server.terminate() }

        let add = ["usage", "add", "--url", "http://127.0.0.1:\(port)", "--customer", "cus_cli", "--metric", "api_requests", "--quantity", "3"]
        for _ in 0..<2 {
            let run = try CommandRun.run(binary, add, environment: ["MB_ADMIN_TOKEN": "admin-token-usage-add"])
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output.contains(#"{"accepted":1,"duplicates":0}"#), "\(run.output)")
        }
        // With an id, the second call is the same record.
        for expected in [#"{"accepted":1,"duplicates":0}"#, #"{"accepted":0,"duplicates":1}"#] {
            let run = try CommandRun.run(binary, add + ["--id", "cli-1"], environment: ["MB_ADMIN_TOKEN": "admin-token-usage-add"])
            #expect(run.output.contains(expected), "\(run.output)")
        }
        #expect(try await Self.recorded(customer: "cus_cli", port: port) == 9, "3 + 3 without an id, 3 once with one")

        let help = try CommandRun.run(binary, ["usage", "add", "--help"])
        // The help wraps to the terminal's width: compare the words.
        let words = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Without --id every call is new usage"), "\(help.output)")
    }

    /// The customer's recorded total of `api_requests`, from `GET /v1/customers/{id}/usage` of a running server.
    static func recorded(customer: String, port: Int) async throws -> Int64? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/customers/\(customer)/usage")
        request.headers.add(name: "Authorization", value: "Bearer admin-token-usage-add")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(CustomerUsageView.self, from: Data(body.readableBytesView)).metrics.first?.recorded
    }
}
