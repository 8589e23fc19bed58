import BillingCore
import StripeAPI
import StripeDouble
import Testing

/// Legacy usage records: the request Stripe receives, what it bills, and the errors it answers.
struct UsageRecordTests {
    typealias F = StripeAPIFixture

    @Test func incrementRecordsAreSentWithTheAcaciaVersionAndKeyAndAddUp() async throws {
        try await F.run { f in
            let first = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 7, timestamp: F.now - 60, action: .increment, idempotencyKey: "ur-1")
            let second = try await f.client.createUsageRecord(
                subscriptionItem: "si_sum", quantity: 5, timestamp: F.now, action: .increment, idempotencyKey: "ur-2")
            #expect(first.id.hasPrefix("mbur_"))
            #expect(first.quantity == 7 && first.timestamp == F.now - 60 && first.subscriptionItem == "si_sum")
            #expect(first.attempts == 1 && !first.replayed)
            #expect(first.requestID?.hasPrefix("req_") == true)
            #expect(second.quantity == 5)
            #expect(f.stripe.billedUsage(item: "si_sum") == 12)

            let requests = f.stripe.requests(to: .createUsageRecord)
            #expect(requests.map(\.stripeVersion) == ["2025-02-24.acacia", "2025-02-24.acacia"])
            #expect(requests.map(\.idempotencyKey) == ["ur-1", "ur-2"])
            #expect(requests.map(\.path) == ["/v1/subscription_items/si_sum/usage_records", "/v1/subscription_items/si_sum/usage_records"])
            #expect(requests[0].parameter("quantity") == "7")
            #expect(requests[0].parameter("timestamp") == String(F.now - 60))
            #expect(requests[0].parameter("action") == "increment")
        }
    }

    @Test func setRecordsReplaceTheQuantity() async throws {
        try await F.run { f in
            _ = try await f.client.createUsageRecord(
                subscriptionItem: "si_last", quantity: 40, timestamp: F.now - 120, action: .set, idempotencyKey: "set-1")
            let latest = try await f.client.createUsageRecord(
                subscriptionItem: "si_last", quantity: 25, timestamp: F.now, action: .set, idempotencyKey: "set-2")
            #expect(latest.action == .set)
            #expect(f.stripe.requests(to: .createUsageRecord).map { $0.parameter("action") } == ["set", "set"])
            // last_during_period: the latest record, not the sum.
            #expect(f.stripe.billedUsage(item: "si_last") == 25)
        }
    }

    @Test func aBasilLegacyVersionIsRefusedWithAClearErrorAndNotRetried() async throws {
        try await F.run(configure: { $0.versionLegacy = "2025-03-31.basil" }) { f in
            #expect(!StripeClient.Configuration.supportsUsageRecords(version: "2025-03-31.basil"))
            #expect(StripeClient.Configuration.supportsUsageRecords(version: "2025-02-24.acacia"))
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_sum", quantity: 3, timestamp: F.now, action: .increment, idempotencyKey: "basil-1")
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.status == 400)
            #expect(error?.shouldRetry == false)
            #expect(error?.message.contains("not available in API version 2025-03-31.basil") == true)
            #expect(error?.description.contains("usage_records") == true)
            #expect(f.stripe.requests(to: .createUsageRecord).map(\.stripeVersion) == ["2025-03-31.basil"])
            #expect(f.stripe.billedUsage(item: "si_sum") == 0)
        }
    }

    @Test func aTimestampBeforeThePeriodIsAnInvalidRequestWithStripesMessageAndIsNotRetried() async throws {
        try await F.run { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_sum", quantity: 3, timestamp: F.april.start - 1, action: .increment, idempotencyKey: "old-1")
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.status == 400)
            #expect(error?.stripeType == "invalid_request_error")
            #expect(error?.param == "timestamp")
            #expect(error?.message.hasPrefix("Cannot create the usage record with this timestamp because timestamps must be after") == true)
            #expect(error?.requestID?.hasPrefix("req_") == true)
            #expect(error?.shouldRetry == false)
            #expect(error?.attempts == 1)
            #expect(f.stripe.callCount(.createUsageRecord) == 1)
            #expect(f.observer.retries.isEmpty)
        }
    }

    @Test func anUnknownItemIsNotFound() async throws {
        try await F.run { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_missing", quantity: 1, timestamp: F.now, action: .increment, idempotencyKey: "nf-1")
            }
            #expect(error?.code == .notFound)
            #expect(error?.stripeCode == "resource_missing")
            #expect(error?.shouldRetry == false)
            #expect(f.stripe.callCount(.createUsageRecord) == 1)
        }
    }

    @Test func anIdempotencyKeyOverStripesLimitIsRefusedBeforeAnyRequest() async throws {
        try await F.run { f in
            let error = await #expect(throws: StripeCallError.self) {
                _ = try await f.client.createUsageRecord(
                    subscriptionItem: "si_sum", quantity: 1, timestamp: F.now, action: .increment,
                    idempotencyKey: String(repeating: "k", count: 256))
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.attempts == 0)
            #expect(f.stripe.callCount(.createUsageRecord) == 0)
        }
    }
}
