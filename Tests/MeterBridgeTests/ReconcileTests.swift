import AsyncHTTPClient
import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import StripeAPI
import StripeDouble
import StripeEventBuilders
import Testing

/// `meterbridge reconcile`: local totals against Stripe's summaries, through the Stripe double.
@Suite(.serialized)
struct ReconcileTests {
    /// A Stripe client of the double, as `reconcile` builds one from STRIPE_API_KEY and MB_STRIPE_API_BASE.
    static func client(_ world: ReportingWorld) throws -> StripeClient {
        let base = try #require(world.stripe.baseURL)
        return StripeClient(
            configuration: .init(apiKey: ReportingWorld.apiKey, apiBase: base.absoluteString, rateLimit: 1000),
            httpClient: .shared, logger: quietLogger
        )
    }

    static func reconciler(_ world: ReportingWorld) throws -> Reconciler {
        Reconciler(client: try client(world), catalogue: world.harness.configuration.metrics, clock: world.harness.clock)
    }

    @Test func aLegacyItemAgreesUntilUsageReachesStripeBehindMeterbridgesBack() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let item = "si_\(story.subscriptionID)_api"
            try await world.deliver(story.created)
            try await world.record(30, at: story.start + 100)
            try await world.record(12, at: story.start + 200)
            try await world.flush()
            try await world.record(5, at: story.start + 300)  // recorded, not yet reported

            let clean = try await Self.reconciler(world).reconcile(subscriptionID: story.subscriptionID, store: world.harness.database)
            #expect(!clean.hasDifferences, "\(clean)")
            let row = try #require(clean.rows.first)
            #expect(clean.rows.count == 1)
            #expect(row.item == item && row.mode == "legacy" && row.periodStart == story.firstPeriod.start)
            #expect(row.recorded == 47 && row.reported == 42 && row.stripe == 42 && row.difference == 0)

            // Someone reports usage to the item directly (another system, a manual call): Stripe now bills more.
            _ = try await Self.client(world).createUsageRecord(
                subscriptionItem: item, quantity: 8, timestamp: story.start + 400, action: .increment, idempotencyKey: "manual-1"
            )
            let differing = try await Self.reconciler(world).reconcile(subscriptionID: story.subscriptionID, store: world.harness.database)
            #expect(differing.hasDifferences)
            #expect(differing.rows.first?.stripe == 50)
            #expect(differing.rows.first?.difference == 8)
        }
    }

    @Test func aMeterItemIsComparedWithTheCustomersMeterSummaryForThePeriod() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            let item = "si_\(story.subscriptionID)_api"
            try world.stripe.changePrice(item: item, to: UsageReportingTests.meterPrice)
            let created = TestEvents.subscription(
                "customer.subscription.created", id: "evt_\(story.subscriptionID)_created", created: story.start,
                story.subscription(price: story.meter, period: story.firstPeriod), shape: story.shape
            ).serializedBytes
            try await world.deliver(created)
            try await world.record(9, at: story.start + 100)
            try await world.record(4, at: world.now - 50)
            try await world.flush()

            let clean = try await Self.reconciler(world).reconcile(subscriptionID: story.subscriptionID, store: world.harness.database)
            #expect(!clean.hasDifferences, "\(clean)")
            let row = try #require(clean.rows.first)
            #expect(row.mode == "meter" && row.recorded == 13 && row.reported == 13 && row.stripe == 13)
            #expect(row.note?.contains("rounded down to the minute") == true, "the story's period does not start on a minute")

            _ = try await Self.client(world).createMeterEvent(
                eventName: "api_requests", customer: ReportingWorld.customer, value: 100, timestamp: world.now - 30, identifier: "manual-meter-1"
            )
            let differing = try await Self.reconciler(world).reconcile(
                subscriptionID: story.subscriptionID, period: story.firstPeriod.start, store: world.harness.database
            )
            #expect(differing.hasDifferences)
            #expect(differing.rows.map(\.difference) == [100])
        }
    }

    @Test func theMigrationStoryReconcilesThroughBothChannelsAndItsShadow() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            try await world.deliver(story.created, story.migrationPlanned)
            try await world.record(40, at: story.start + 100)
            try await world.flush()
            let report = try await Self.reconciler(world).reconcile(subscriptionID: story.subscriptionID, store: world.harness.database)
            // The legacy period, and its mirror on the meter (whose id is not known while the item is on the legacy price).
            #expect(report.rows.map(\.mode) == ["legacy", "shadow"])
            #expect(report.rows.first?.stripe == 40)
            #expect(report.rows.last?.reported == 40 && report.rows.last?.stripe == nil)
            #expect(!report.hasDifferences)
        }
    }

    @Test func theCommandExitsOneOnADifferenceAndZeroOtherwise() async throws {
        try await ReportingWorld.run { world in
            let story = world.story
            try await world.deliver(story.created)
            try await world.record(30, at: story.start + 100)
            try await world.flush()
            let config = "\(world.harness.directory.path)/meterbridge.json"
            try Data(#"{"metrics":{"api_requests":{"product":"prod_api","meter_event_name":"api_requests","aggregation":"sum"}}}"#.utf8)
                .write(to: URL(fileURLWithPath: config))
            let base = try #require(world.stripe.baseURL).absoluteString
            let environment = ["STRIPE_API_KEY": ReportingWorld.apiKey, "MB_STRIPE_API_BASE": base, "MB_CONFIG": config, "MB_LOG_LEVEL": "error"]
            let arguments = ["reconcile", "--subscription", story.subscriptionID, "--database-url", "sqlite:\(world.harness.directory.databasePath)"]
            let binary = try ServerProcess.builtBinary()
            let agreeing = try CommandRun.run(binary, arguments, environment: environment)
            #expect(agreeing.status == 0, "\(agreeing.errors)")
            let report = try JSONDecoder().decode(ReconcileReport.self, from: Data(agreeing.output.utf8))
            #expect(report.rows.map(\.stripe) == [30])
            _ = try await Self.client(world).createUsageRecord(
                subscriptionItem: "si_\(story.subscriptionID)_api", quantity: 2, timestamp: story.start + 400, action: .increment, idempotencyKey: "manual-2"
            )
            let differing = try CommandRun.run(binary, arguments, environment: environment)
            #expect(differing.status == 1, "\(differing.errors)")
            #expect(try JSONDecoder().decode(ReconcileReport.self, from: Data(differing.output.utf8)).rows.map(\.difference) == [2])
            let unconfigured = try CommandRun.run(binary, arguments, environment: ["STRIPE_API_KEY": "", "MB_CONFIG": config])
            #expect(unconfigured.status != 0 && unconfigured.errors.contains("STRIPE_API_KEY"), "\(unconfigured.errors)")
        }
    }

    @Test func anUnknownSubscriptionIsAClearError() async throws {
        try await ReportingWorld.run { world in
            await #expect(throws: Reconciler.Failure.self) {
                try await Self.reconciler(world).reconcile(subscriptionID: "sub_nope", store: world.harness.database)
            }
        }
    }
}
