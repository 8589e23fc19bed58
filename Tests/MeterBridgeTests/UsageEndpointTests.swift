import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import NIOCore
import TestPrimitives
import Testing

/// `POST /v1/usage` and `GET /v1/customers/{id}/usage` as the company's product uses them, on a real SQLite file.
struct UsageEndpointTests {
    static let token = "admin-token-for-usage-tests"
    static let now = WebhookHarness.now

    /// The harness with an admin token and a catalogue of two metrics.
    static func run(token: String? = token, _ body: @escaping @Sendable (WebhookHarness, any TestClientProtocol) async throws -> Void) async throws {
        try await WebhookHarness.run(configure: { configuration in
            configuration.adminToken = token
            configuration.metrics = [
                "api_requests": MetricDefinition(product: "prod_api", meterEventName: "api_requests", aggregation: .sum),
                "seats": MetricDefinition(product: "prod_seats", meterEventName: "seats", aggregation: .last),
            ]
        }, body)
    }

    static func post(_ body: String, to client: some TestClientProtocol, token: String? = token) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: "/v1/usage", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func customerUsage(_ id: String, _ client: some TestClientProtocol) async throws -> CustomerUsageView {
        let response = try await client.execute(uri: "/v1/customers/\(id)/usage", method: .get, headers: [.authorization: "Bearer \(token)"])
        try #require(response.status == .ok, "\(String(buffer: response.body))")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(CustomerUsageView.self, from: Data(response.body.readableBytesView))
    }

    static func storedCount(_ harness: WebhookHarness) async throws -> Int {
        try await harness.database.read { connection in
            try connection.query("SELECT count(*) FROM usage_records") { $0.int(at: 0) }.first ?? 0
        }
    }

    /// A valid record; `fields` replaces or adds members (raw JSON values), `nil` removes one.
    static func record(_ index: Int = 0, _ fields: KeyValuePairs<String, String?> = [:]) -> String {
        var members: [(String, String)] = [
            ("customer", #""cus_1""#), ("metric", #""api_requests""#), ("quantity", "1"), ("timestamp", "\(now - 60)"), ("id", #""rec-\#(index)""#),
        ]
        for (name, value) in fields {
            members.removeAll { $0.0 == name }
            if let value { members.append((name, value)) }
        }
        return "{" + members.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }

    /// 20 valid records with `bad` at index 17.
    static func batch(bad: String) -> String {
        #"{"records":["# + (0..<20).map { $0 == 17 ? bad : record($0) }.joined(separator: ",") + "]}"
    }

    @Test func aSingleRecordIsStoredAndCountedInTheCustomersUsage() async throws {
        try await Self.run { harness, client in
            let response = try await Self.post(#"{"customer":"cus_1","metric":"api_requests","quantity":3,"timestamp":1763699000,"id":"client-unique-id"}"#, to: client)
            #expect(response.status == .accepted)
            #expect(String(buffer: response.body) == #"{"accepted":1,"duplicates":0}"#)
            let stored = try await harness.database.usageRecords(customerID: "cus_1")
            #expect(stored == [UsageRecord(id: "client-unique-id", customerID: "cus_1", metric: "api_requests", quantity: 3, timestamp: 1_763_699_000, receivedAt: Self.now * 1000)])

            let usage = try await Self.customerUsage("cus_1", client)
            #expect(usage.customer == "cus_1")
            #expect(usage.metrics == [
                .init(metric: "api_requests", aggregation: "sum", records: 1, recorded: 3, pendingRecords: 1, pending: 3, carriedRecords: 0, carried: 0,
                      firstTimestamp: 1_763_699_000, lastTimestamp: 1_763_699_000, latestQuantity: 3),
            ])
            #expect(try await Self.customerUsage("cus_nobody", client).metrics.isEmpty)
        }
    }

    @Test func aBatchSentTwiceIsStoredOnce() async throws {
        try await Self.run { harness, client in
            let body = #"{"records":["# + [
                Self.record(0, ["quantity": "2"]), Self.record(1, ["quantity": "5", "customer": #""cus_2""#]),
                Self.record(2, ["metric": #""seats""#, "quantity": "10"]), Self.record(3, ["metric": #""seats""#, "quantity": "12", "timestamp": "\(Self.now)"]),
            ].joined(separator: ",") + "]}"
            let first = try await Self.post(body, to: client)
            #expect(first.status == .accepted)
            #expect(String(buffer: first.body) == #"{"accepted":4,"duplicates":0}"#)
            let before = try await Self.customerUsage("cus_1", client)

            // The client lost the answer and sends the same batch again.
            let retry = try await Self.post(body, to: client)
            #expect(retry.status == .accepted)
            #expect(String(buffer: retry.body) == #"{"accepted":0,"duplicates":4}"#)
            #expect(try await Self.customerUsage("cus_1", client) == before)
            #expect(try await Self.storedCount(harness) == 4)
            #expect(before.metrics.map(\.metric) == ["api_requests", "seats"])
            #expect(before.metrics.map(\.recorded) == [2, 22])
            #expect(before.metrics.last?.aggregation == "last")
            #expect(before.metrics.last?.latestQuantity == 12)

            let metrics = String(decoding: try await client.execute(uri: "/metrics", method: .get).body.readableBytesView, as: UTF8.self)
            #expect(metrics.contains(#"meterbridge_usage_recorded_total{metric="seats"} 2"#))
            #expect(metrics.contains(#"meterbridge_usage_duplicates_total{metric="api_requests"} 2"#))
        }
    }

    @Test func theTimestampDefaultsToTheClockAndARetryLaterIsStillADuplicate() async throws {
        try await Self.run { harness, client in
            let body = #"{"customer":"cus_1","metric":"api_requests","quantity":1,"id":"no-time"}"#
            #expect(try await Self.post(body, to: client).status == .accepted)
            harness.clock.advance(seconds: 90)
            let retry = try await Self.post(body, to: client)
            #expect(String(buffer: retry.body) == #"{"accepted":0,"duplicates":1}"#)
            let stored = try await harness.database.usageRecords(customerID: "cus_1")
            #expect(stored.map(\.timestamp) == [Self.now])
            #expect(stored.map(\.receivedAt) == [Self.now * 1000])
        }
    }

    @Test func recordsWithoutAnIdAreNewUsageEveryTime() async throws {
        try await Self.run { harness, client in
            // Two identical records in one request are two usages, and the same request again is two more: only an id
            // makes a retry a duplicate.
            let body = #"{"records":[{"customer":"cus_1","metric":"api_requests","quantity":1,"timestamp":1763699000},{"customer":"cus_1","metric":"api_requests","quantity":1,"timestamp":1763699000}]}"#
            #expect(String(buffer: try await Self.post(body, to: client).body) == #"{"accepted":2,"duplicates":0}"#)
            #expect(String(buffer: try await Self.post(body, to: client).body) == #"{"accepted":2,"duplicates":0}"#)
            let ids = try await harness.database.usageRecords(customerID: "cus_1").map(\.id)
            #expect(ids.count == 4 && Set(ids).count == 4)
            #expect(ids.allSatisfy { $0.hasPrefix("mb_auto_") })
            #expect(try await Self.customerUsage("cus_1", client).metrics.first?.recorded == 4)
        }
    }

    @Test func anIdStoredWithOtherContentIsA409AndNothingOfTheBatchIsStored() async throws {
        try await Self.run { harness, client in
            #expect(try await Self.post(Self.record(5, ["quantity": "3"]), to: client).status == .accepted)
            let body = #"{"records":["# + Self.record(0) + "," + Self.record(5, ["quantity": "4"]) + "," + Self.record(6) + "]}"
            let response = try await Self.post(body, to: client)
            #expect(response.status == .conflict)
            let error = try ErrorBody(response).error
            #expect(error.type == "idempotency_error")
            #expect(error.code == "usage_id_conflict")
            #expect(error.message.hasPrefix(#"records[1].id: "rec-5" is already stored with different content (stored ≠ sent: quantity 3 ≠ 4)"#))
            #expect(try await harness.database.usageRecords(customerID: "cus_1").map(\.id) == ["rec-5"])
        }
    }

    /// One bad input: the body, and the answer it must get.
    struct BadInput: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        var status: HTTPResponse.Status = .badRequest
        let code: String
        let message: String

        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "negative quantity", body: batch(bad: record(17, ["quantity": "-2"])), code: "parameter_invalid_integer",
                 message: "records[17].quantity: must be a non-negative integer up to 2^53 − 1, got -2; nothing was stored"),
        BadInput(name: "fractional quantity", body: batch(bad: record(17, ["quantity": "1.5"])), code: "parameter_invalid_integer",
                 message: "records[17].quantity: must be a non-negative integer up to 2^53 − 1, got 1.5"),
        BadInput(name: "quantity as a string", body: batch(bad: record(17, ["quantity": #""3""#])), code: "parameter_invalid_integer",
                 message: #"records[17].quantity: must be a non-negative integer up to 2^53 − 1, got the string "3""#),
        BadInput(name: "quantity over 2^53", body: batch(bad: record(17, ["quantity": "9007199254740992"])), code: "parameter_invalid_integer",
                 message: "records[17].quantity: must be a non-negative integer up to 2^53 − 1, got 9007199254740992"),
        BadInput(name: "missing quantity", body: batch(bad: record(17, ["quantity": nil])), code: "parameter_missing",
                 message: "records[17].quantity: required"),
        BadInput(name: "unknown metric", body: batch(bad: record(17, ["metric": #""api_calls""#])), code: "unknown_metric",
                 message: #"records[17].metric: unknown metric "api_calls"; configured metrics: api_requests, seats"#),
        BadInput(name: "missing customer", body: batch(bad: record(17, ["customer": nil])), code: "parameter_missing",
                 message: "records[17].customer: required"),
        BadInput(name: "empty customer", body: batch(bad: record(17, ["customer": #""""#])), code: "parameter_invalid_string_empty",
                 message: "records[17].customer: must not be empty"),
        BadInput(name: "customer as a number", body: batch(bad: record(17, ["customer": "42"])), code: "parameter_invalid_string",
                 message: "records[17].customer: must be a string, got 42"),
        BadInput(name: "unknown field", body: batch(bad: record(17, ["quantiy": "3"])), code: "parameter_unknown",
                 message: "records[17].quantiy: unknown field; a usage record has customer, metric, quantity, timestamp, id"),
        BadInput(name: "negative timestamp", body: batch(bad: record(17, ["timestamp": "-1"])), code: "parameter_invalid_integer",
                 message: "records[17].timestamp: must be a non-negative integer (unix seconds), got -1"),
        BadInput(name: "timestamp in milliseconds", body: batch(bad: record(17, ["timestamp": "\(now * 1000)"])), code: "timestamp_in_future",
                 message: "records[17].timestamp: \(now * 1000) is more than 300 s in the future (now is \(now)); it looks like milliseconds, send unix seconds"),
        BadInput(name: "reserved id", body: batch(bad: record(17, ["id": #""mb_auto_123""#])), code: "parameter_invalid_string",
                 message: "records[17].id: ids starting with mb_auto_ are reserved"),
        BadInput(name: "id too long", body: batch(bad: record(17, ["id": "\"\(String(repeating: "x", count: 256))\""])), code: "parameter_invalid_string",
                 message: "records[17].id: must be at most 255 bytes, got 256"),
        BadInput(name: "record not an object", body: batch(bad: "3"), code: "invalid_body", message: "records[17]: must be a usage record object, got 3"),
        BadInput(name: "several bad records", body: #"{"records":["# + record(0) + "," + record(1, ["quantity": "-1"]) + "," + record(2, ["metric": nil]) + "]}",
                 code: "parameter_invalid_integer",
                 message: "records[1].quantity: must be a non-negative integer up to 2^53 − 1, got -1 (2 of 3 records are invalid; the first is shown); nothing was stored"),
        BadInput(name: "single record", body: record(0, ["quantity": "-2"]), code: "parameter_invalid_integer",
                 message: "quantity: must be a non-negative integer up to 2^53 − 1, got -2; nothing was stored"),
        BadInput(name: "empty batch", body: #"{"records":[]}"#, code: "parameter_invalid_empty", message: "records: must hold 1 to 10000 usage records, got none"),
        BadInput(name: "batch over 10,000", body: #"{"records":["# + Array(repeating: record(0), count: 10_001).joined(separator: ",") + "]}", code: "too_many_records",
                 message: "records: at most 10000 usage records per request, got 10001; split the batch"),
        BadInput(name: "records not an array", body: #"{"records":{}}"#, code: "invalid_body", message: "records: must be an array of usage records, got an object"),
        BadInput(name: "field beside records", body: #"{"records":[],"customer":"cus_1"}"#, code: "parameter_unknown", message: "customer: unknown field beside records"),
        BadInput(name: "not JSON", body: "customer=cus_1&quantity=3", code: "invalid_json", message: "The body is not valid JSON"),
        BadInput(name: "an array body", body: "[" + record(0) + "]", code: "invalid_body", message: "The body must be a usage record object or {\"records\":[…]}, got an array"),
    ]

    @Test(arguments: badInputs)
    func aBadRequestNamesTheRecordAndFieldAndStoresNothing(_ input: BadInput) async throws {
        try await Self.run { harness, client in
            let response = try await Self.post(input.body, to: client)
            #expect(response.status == input.status)
            let error = try ErrorBody(response).error
            #expect(error.type == "invalid_request_error")
            #expect(error.code == input.code)
            #expect(error.message.hasPrefix(input.message), "\(error.message)")
            #expect(try await Self.storedCount(harness) == 0)
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        try await Self.run { harness, client in
            let oversized = ByteBuffer(repeating: UInt8(ascii: " "), count: 8 * 1024 * 1024 + 1)
            let response = try await client.execute(uri: "/v1/usage", method: .post, headers: [.authorization: "Bearer \(Self.token)"], body: oversized)
            #expect(response.status == .contentTooLarge)
            #expect(try ErrorBody(response).error.code == "body_too_large")
            #expect(try await Self.storedCount(harness) == 0)
        }
    }

    @Test func withoutTheRightTokenNothingIsStoredOrShown() async throws {
        try await Self.run { harness, client in
            #expect(try await Self.post(Self.record(), to: client, token: nil).status == .unauthorized)
            #expect(try await Self.post(Self.record(), to: client, token: "wrong-token").status == .unauthorized)
            let usage = try await client.execute(uri: "/v1/customers/cus_1/usage", method: .get, headers: [.authorization: "Bearer wrong-token"])
            #expect(usage.status == .unauthorized)
            #expect(try await Self.storedCount(harness) == 0)
        }
        // No admin token configured: the admin API, usage included, is off.
        try await Self.run(token: nil) { harness, client in
            let response = try await Self.post(Self.record(), to: client, token: "anything")
            #expect(response.status == .forbidden)
            #expect(try ErrorBody(response).error.code == "admin_api_disabled")
            #expect(try await Self.storedCount(harness) == 0)
        }
    }
}
