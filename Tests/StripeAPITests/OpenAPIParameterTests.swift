import AsyncHTTPClient
import BillingCore
import Foundation
import NIOCore
import NIOHTTP1
import StripeAPI
import StripeDouble
import Testing

/// Every parameter meterbridge's Stripe client sends, and every usage-record parameter the Stripe double accepts, is
/// in Stripe's own description of that endpoint: a name Stripe does not know, or an enum value it does not take, is
/// refused in live mode with "Received unknown parameter" while a lenient double would let it through.
struct OpenAPIParameterTests {
    typealias F = StripeAPIFixture

    /// Stripe's OpenAPI description, the extract in Resources/ (its README says where it comes from).
    static let description = Result { try OpenAPIParameters.load("stripe-openapi-usage-paths.json") }

    /// Endpoints newer than that description, as Stripe's API reference lists their parameters.
    static let newer = OpenAPIParameters(
        operations: [
            // https://docs.stripe.com/api/billing/meter-event/create
            "POST /v1/billing/meter_events": [
                "event_name": .anyString, "payload": .object(properties: nil), "identifier": .anyString, "timestamp": .integer,
            ],
            // https://docs.stripe.com/api/billing/meter-event-adjustment/create
            "POST /v1/billing/meter_event_adjustments": [
                "event_name": .anyString, "type": .string(enumValues: ["cancel"]), "cancel": .object(properties: ["identifier": .anyString]),
            ],
            // https://docs.stripe.com/api/billing/meter-event-summary/list
            "GET /v1/billing/meters/{id}/event_summaries": [
                "customer": .anyString, "start_time": .integer, "end_time": .integer, "value_grouping_window": .string(enumValues: ["day", "hour"]),
                "limit": .integer, "starting_after": .anyString, "ending_before": .anyString,
            ],
        ],
        version: "API reference")

    /// One run of the client through each of its operations against the double; a new operation must be added here.
    static let drivers: [StripeOperation: @Sendable (StripeAPIFixture) async throws -> Void] = [
        .createUsageRecord: { f in
            _ = try await f.client.createUsageRecord(subscriptionItem: "si_sum", quantity: 3, timestamp: F.now, action: .increment, idempotencyKey: "k-sum")
            _ = try await f.client.createUsageRecord(subscriptionItem: "si_last", quantity: 7, timestamp: F.now, action: .set, idempotencyKey: "k-last")
        },
        .listUsageRecordSummaries: { f in _ = try await f.client.usageRecordSummaries(subscriptionItem: "si_sum") },
        .createMeterEvent: { f in
            for day in Int64(0)..<3 {
                _ = try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 2, timestamp: F.now - day * 86_400, identifier: "m-\(day)")
            }
        },
        .cancelMeterEvent: { f in _ = try await f.client.cancelMeterEvent(eventName: "api_requests", identifier: "m-0") },
        .listSubscriptions: { f in _ = try await f.client.subscriptions(customer: "cus_1") },
        .listMeterEventSummaries: { f in
            // Every grouping window, over several pages (pageSize 1), so `starting_after` goes out too.
            for window in [nil, StripeMeterSummaryWindow.day, .hour] {
                _ = try await f.client.meterEventSummaries(meterID: "mtr_sum", customer: "cus_1", start: F.now - 3 * 86_400, end: F.now + 86_400, window: window)
            }
        },
    ]

    @Test func everyParameterTheClientSendsIsInStripesDescriptionOfTheEndpoint() async throws {
        let description = try Self.description.get()
        #expect(description.version == "2023-08-16")
        for operation in StripeOperation.allCases where Self.drivers[operation] == nil {
            Issue.record("no driver for \(operation): add its calls to OpenAPIParameterTests.drivers so its parameters are checked")
        }
        try await F.run(configure: { $0.pageSize = 1 }) { f in
            // A cancellation needs its event first; any operation added later runs after these.
            let first: [StripeOperation] = [.createUsageRecord, .listUsageRecordSummaries, .createMeterEvent, .cancelMeterEvent, .listMeterEventSummaries]
            for operation in first + StripeOperation.allCases.filter({ !first.contains($0) }) {
                try await Self.drivers[operation]?(f)
            }
            let requests = f.stripe.requests()
            var checked = Set<String>()
            for request in requests {
                guard let (parameters, key) = Self.operation(method: request.method, path: request.path, description) else {
                    Issue.record("\(request.method) \(request.path): no description of this endpoint, in the OpenAPI extract or the table")
                    continue
                }
                checked.insert(key)
                for (name, value) in request.parameters.pairs {
                    if let violation = parameters.violation(operation: key, name: name, value: value) { Issue.record("\(violation)") }
                }
            }
            #expect(checked.count == StripeOperation.allCases.count, "every operation's requests were checked: \(checked.sorted())")
            #expect(requests.contains { $0.parameter("starting_after") != nil }, "a next page was asked for")
            #expect(Set(requests.compactMap { $0.parameter("value_grouping_window") }) == ["day", "hour"])
        }
    }

    @Test func theCheckRefusesANameOrEnumValueStripeDoesNotKnow() throws {
        let description = try Self.description.get()
        let usageRecords = "POST /v1/subscription_items/{subscription_item}/usage_records"
        #expect(description.operation(method: "POST", path: "/v1/subscription_items/si_1/usage_records") == usageRecords)
        #expect(description.violation(operation: usageRecords, name: "action", value: "set") == nil)
        #expect(description.violation(operation: usageRecords, name: "timestamp", value: "now") == nil)
        #expect(description.violation(operation: usageRecords, name: "action", value: "add") != nil)
        #expect(description.violation(operation: usageRecords, name: "idempotency_key", value: "k") != nil)
        #expect(description.violation(operation: usageRecords, name: "quantity", value: "1.5") != nil)
        let list = "GET /v1/subscriptions"
        #expect(description.violation(operation: list, name: "status", value: "all") == nil)
        #expect(description.violation(operation: list, name: "status", value: "live") != nil)
        let adjustments = "POST /v1/billing/meter_event_adjustments"
        #expect(Self.newer.violation(operation: adjustments, name: "cancel[identifier]", value: "x") == nil)
        #expect(Self.newer.violation(operation: adjustments, name: "cancel[id]", value: "x") != nil)
        #expect(Self.newer.violation(operation: adjustments, name: "type", value: "void") != nil)
    }

    @Test func theDoubleAcceptsEveryUsageRecordParameterOfTheDescriptionAndNothingElse() async throws {
        let description = try Self.description.get()
        let key = "POST /v1/subscription_items/{subscription_item}/usage_records"
        let parameters = try #require(description.operations[key])
        #expect(Set(parameters.keys) == ["action", "expand", "quantity", "timestamp"])
        try await F.run { f in
            var index = 0
            func send(_ form: String) async throws -> (status: UInt, body: String) {
                index += 1
                var request = HTTPClientRequest(url: f.configuration.apiBase + "/v1/subscription_items/si_sum/usage_records")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(F.apiKey)")
                request.headers.add(name: "Stripe-Version", value: "2025-02-24.acacia")
                request.headers.add(name: "Idempotency-Key", value: "probe-\(index)")
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(Array(form.utf8))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                return (response.status.code, String(decoding: body.readableBytesView, as: UTF8.self))
            }
            // Every value the description allows for each parameter (each enum value, each anyOf branch).
            let accepted = [
                "quantity=1", "quantity=1&timestamp=\(F.now)", "quantity=1&timestamp=now", "quantity=1&action=increment", "quantity=1&action=set",
                "quantity=1&expand[]=subscription_item",
            ]
            for form in accepted {
                let answer = try await send(form)
                #expect(answer.status == 200, "\(form): \(answer.body)")
            }
            // A name the description does not list is refused, as Stripe refuses it.
            for form in ["quantity=1&subscription_item=si_sum", "quantity=1&action=add", "quantity=1&timestamp=later"] {
                let answer = try await send(form)
                #expect(answer.status == 400, "\(form): \(answer.body)")
            }
        }
    }

    /// The description of the endpoint `path` belongs to: Stripe's OpenAPI extract first, then the table.
    static func operation(method: String, path: String, _ description: OpenAPIParameters) -> (OpenAPIParameters, String)? {
        if let key = description.operation(method: method, path: path) { return (description, key) }
        if let key = newer.operation(method: method, path: path) { return (newer, key) }
        return nil
    }
}
