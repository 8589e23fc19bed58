import StripeAPI
import StripeDouble
import Testing

/// Billing meter events: the request Stripe receives, duplicates, cancellation.
struct MeterEventTests {
    typealias F = StripeAPIFixture

    @Test func valueGoesOutAsAWholeNumberStringWithIdentifierCustomerAndTheMeterVersion() async throws {
        try await F.run(configure: { $0.versionMeter = "2025-09-30.clover" }) { f in
            let result = try await f.client.createMeterEvent(
                eventName: "api_requests", customer: "cus_1", value: 42, timestamp: F.now - 30, identifier: "mb-cus_1-api-0001")
            #expect(result.alreadyDelivered == false)
            #expect(result.identifier == "mb-cus_1-api-0001")
            #expect(result.timestamp == F.now - 30)
            #expect(result.attempts == 1)
            #expect(f.aprilMeterTotal() == 42)

            let request = try #require(f.stripe.requests(to: .createMeterEvent).first)
            #expect(request.parameter("event_name") == "api_requests")
            #expect(request.parameter("payload[stripe_customer_id]") == "cus_1")
            #expect(request.parameter("payload[value]") == "42")
            #expect(request.parameter("identifier") == "mb-cus_1-api-0001")
            #expect(request.parameter("timestamp") == String(F.now - 30))
            #expect(request.stripeVersion == "2025-09-30.clover")
        }
    }

    @Test func aDuplicateIdentifierIsAlreadyDeliveredNotAnError() async throws {
        try await F.run { f in
            _ = try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 8, timestamp: F.now, identifier: "dup-1")
            // A second run of the same report row (after a crash, say) sends the same identifier.
            let again = try await f.client.createMeterEvent(
                eventName: "api_requests", customer: "cus_1", value: 8, timestamp: F.now, identifier: "dup-1")
            #expect(again.alreadyDelivered)
            #expect(again.identifier == "dup-1")
            #expect(again.attempts == 1)
            #expect(f.aprilMeterTotal() == 8)
            let requests = f.stripe.requests(to: .createMeterEvent)
            #expect(requests.map(\.status) == [200, 400])
            #expect(requests[1].responseBody.contains("An event already exists with identifier dup-1."))
        }
    }

    @Test func anUnknownEventNameIsAnInvalidRequestCarryingStripesMessage() async throws {
        try await F.run { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createMeterEvent(eventName: "nope", customer: "cus_1", value: 1, timestamp: F.now, identifier: "x-1")
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.message == "No active meter was found for event name 'nope'.")
            #expect(error?.param == "event_name")
            #expect(error?.shouldRetry == false)
            #expect(f.stripe.callCount(.createMeterEvent) == 1)
        }
    }

    @Test func anIdentifierOverOneHundredCharactersIsRefusedBeforeAnyRequest() async throws {
        try await F.run { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createMeterEvent(
                    eventName: "api_requests", customer: "cus_1", value: 1, timestamp: F.now, identifier: String(repeating: "i", count: 101))
            }
            #expect(error?.code == .invalidRequest)
            #expect(f.stripe.callCount(.createMeterEvent) == 0)
        }
    }

    @Test func cancellingAnEventRemovesItFromTheTotal() async throws {
        try await F.run { f in
            _ = try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 9, timestamp: F.now, identifier: "c-1")
            _ = try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 4, timestamp: F.now, identifier: "c-2")
            let cancellation = try await f.client.cancelMeterEvent(eventName: "api_requests", identifier: "c-1")
            #expect(cancellation.identifier == "c-1")
            #expect(cancellation.status == "pending")
            #expect(f.aprilMeterTotal() == 4)
            let request = try #require(f.stripe.requests(to: .createMeterEventAdjustment).first)
            #expect(request.parameter("type") == "cancel")
            #expect(request.parameter("cancel[identifier]") == "c-1")
            #expect(request.parameter("event_name") == "api_requests")
            #expect(request.idempotencyKey == "meterbridge-cancel-c-1")
        }
    }

    @Test func cancellingAnUnknownEventFailsWithoutRetry() async throws {
        try await F.run { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.cancelMeterEvent(eventName: "api_requests", identifier: "never-sent")
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.stripeCode == "resource_missing")
            #expect(f.stripe.callCount(.createMeterEventAdjustment) == 1)
        }
    }
}
