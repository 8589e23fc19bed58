import BillingCore
import Foundation
import Logging
import StripeDouble
import TestPrimitives

/// The seeded world most tests run in: one clock, legacy items of every kind, three meters, two customers.
enum StripeFixture {
    static let apiKey = "sk_test_double_0001"
    static let otherAPIKey = "rk_test_double_0002"
    /// 2024-04-10T00:00:00Z.
    static let now: Int64 = 1_712_707_200
    /// April 2024 (UTC): the items' current period.
    static let april = BillingPeriod(start: 1_711_929_600, end: 1_714_521_600)
    /// May 2024 (UTC).
    static let may = BillingPeriod(start: 1_714_521_600, end: 1_717_200_000)

    /// Usage-record paths.
    static func usageRecords(_ item: String) -> String { "/v1/subscription_items/\(item)/usage_records" }
    static func usageSummaries(_ item: String) -> String { "/v1/subscription_items/\(item)/usage_record_summaries" }
    static let meterEvents = "/v1/billing/meter_events"
    static let adjustments = "/v1/billing/meter_event_adjustments"
    static func eventSummaries(_ meter: String) -> String { "/v1/billing/meters/\(meter)/event_summaries" }

    /// Starts a seeded double, runs `body`, and stops the double whatever happens.
    static func run(
        configure: (inout StripeAPIDouble.Configuration) -> Void = { _ in },
        _ body: (StripeAPIDouble, StripeTestClient, ManualClock) async throws -> Void
    ) async throws {
        let clock = ManualClock(seconds: now)
        // Quiet: no global logging bootstrap in tests, and the double's debug lines are not needed here.
        let logger = Logger(label: "StripeDoubleTests", factory: { _ in SwiftLogNoOpLogHandler() })
        var configuration = StripeAPIDouble.Configuration(apiKeys: [apiKey, otherAPIKey], clock: clock, logger: logger)
        configure(&configuration)
        let double = StripeAPIDouble(configuration: configuration)
        seed(double)
        let base = try await double.start()
        do {
            try await body(double, StripeTestClient(base: base), clock)
        } catch {
            await double.stop()
            throw error
        }
        await double.stop()
    }

    static func seed(_ double: StripeAPIDouble) {
        double.addSubscriptionItem(.legacyMetered(id: "si_sum", subscription: "sub_1", customer: "cus_1", currentPeriod: april))
        double.addSubscriptionItem(
            .legacyMetered(id: "si_last", subscription: "sub_1", customer: "cus_1", priceID: "price_last",
                aggregateUsage: .lastDuringPeriod, currentPeriod: april))
        double.addSubscriptionItem(
            SubscriptionItemSeed(
                id: "si_licensed", subscription: "sub_1", customer: "cus_1",
                price: Price(id: "price_seat", type: "recurring", recurring: PriceRecurring(interval: "month", usageType: .licensed)),
                currentPeriod: april))
        double.addSubscriptionItem(
            SubscriptionItemSeed(
                id: "si_metered_meter", subscription: "sub_1", customer: "cus_1",
                price: Price(
                    id: "price_meter", type: "recurring", recurring: PriceRecurring(interval: "month", usageType: .metered, meterID: "mtr_sum")),
                currentPeriod: april))
        double.addCustomer("cus_2")
        double.addMeter(MeterSeed(id: "mtr_sum", eventName: "api_requests", aggregation: .sum))
        double.addMeter(MeterSeed(id: "mtr_count", eventName: "logins", aggregation: .count))
        double.addMeter(MeterSeed(id: "mtr_last", eventName: "seats", aggregation: .last))
    }
}
