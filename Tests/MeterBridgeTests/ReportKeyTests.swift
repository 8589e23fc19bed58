import BillingCore
import BillingStore
import Foundation
import MeterBridge
import MeterBridgeTesting
import StripeDouble
import StripeEventBuilders
import TestPrimitives
import Testing

/// Report keys follow the report's content: a store restored from a backup, or copied to a second instance, never
/// sends new usage under a key Stripe already has, and every unit is billed once.
@Suite(.serialized)
struct ReportKeyTests {
    static let story = BillingStory(shape: .basil)
    static let item = "si_\(story.subscriptionID)_api"

    /// A started double seeded with the story, and a fresh store directory; `body` runs, then the double stops.
    static func withAccount(configure: (inout StripeAPIDouble.Configuration) -> Void = { _ in }, _ body: (SharedAccount) async throws -> Void) async throws {
        let clock = ManualClock(seconds: story.start)
        var configuration = StripeAPIDouble.Configuration(apiKeys: [ReportingWorld.apiKey], clock: clock)
        configure(&configuration)
        let stripe = StripeAPIDouble(configuration: configuration)
        ReportingWorld.seed(stripe, story: story)
        let base = try await stripe.start()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            try await body(SharedAccount(stripe: stripe, clock: clock, base: base, directory: directory))
        } catch {
            await stripe.stop()
            throw error
        }
        await stripe.stop()
    }

    /// One life of the store: at `time`, records `quantity` for the subscribed customer (legacy usage records) and for
    /// a customer without a subscription (meter events), each with a fresh id, and flushes.
    static func live(_ account: SharedAccount, at time: Int64, quantity: Int64, id: String, subscribe: Bool = false) async throws {
        try await ReportingWorld.run(story: story, account: account) { world in
            world.at(time)
            if subscribe { try await world.deliver(story.created) }
            try await world.record(quantity, at: time - 60, id: "\(id)-sub")
            // Meter usage of a customer without a subscription waits out the subscription grace (300 s).
            try await world.record(quantity, at: time - 600, customer: "cus_nosub", id: "\(id)-nosub")
            try await world.flush()
        }
    }

    /// The SQLite file and its journal, as a backup tool copies them.
    static func copyStore(from source: String, to target: String) throws {
        let files = FileManager.default
        try? files.createDirectory(atPath: target, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] {
            let from = source + "/meterbridge.sqlite" + suffix, to = target + "/meterbridge.sqlite" + suffix
            try? files.removeItem(atPath: to)
            if files.fileExists(atPath: from) { try files.copyItem(atPath: from, toPath: to) }
        }
    }

    /// What Stripe bills: the legacy item's current period and the meter for the customer without a subscription.
    static func billed(_ stripe: StripeAPIDouble) -> [Int64] {
        let legacy = stripe.billedUsage(item: item, period: story.firstPeriod) ?? 0
        let meter = stripe.meterTotal("api_requests", customer: "cus_nosub", from: story.start, to: story.firstPeriod.end) ?? 0
        return [legacy, meter]
    }

    /// Every key Stripe saw, with the bodies sent under it: one key never carries two different reports.
    static func expectNoKeyCarriesTwoReports(_ stripe: StripeAPIDouble) {
        var bodies: [String: Set<[String?]>] = [:]
        for request in stripe.requests(to: .createUsageRecord) {
            let content = [request.path] + ["quantity", "timestamp", "action"].map(request.parameter)
            if let key = request.idempotencyKey { bodies[key, default: []].insert(content) }
        }
        for request in stripe.requests(to: .createMeterEvent) {
            let content = ["event_name", "payload[stripe_customer_id]", "payload[value]", "timestamp"].map(request.parameter)
            if let key = request.parameter("identifier") { bodies[key, default: []].insert(content) }
        }
        #expect(!bodies.isEmpty)
        for (key, sent) in bodies {
            #expect(sent.count == 1, "key \(key) carried \(sent.count) different reports")
        }
    }

    @Test func aStoreRestoredFromABackupBillsNewUsageOnce() async throws {
        try await Self.withAccount { account in
            let start = Self.story.start + 3600
            try await Self.live(account, at: start, quantity: 3, id: "a", subscribe: true)
            let backup = account.directory.path + "/backup"
            try Self.copyStore(from: account.directory.path, to: backup)
            try await Self.live(account, at: start + 600, quantity: 4, id: "b")
            #expect(Self.billed(account.stripe) == [7, 7])

            // The operator restores the backup: the 4 is gone from the store (Stripe has it), and the store counts its
            // report rows from the backup's point again. The next usage must not be taken for the 4.
            try Self.copyStore(from: backup, to: account.directory.path)
            try await Self.live(account, at: start + 1200, quantity: 5, id: "c")
            #expect(Self.billed(account.stripe) == [12, 12])
            Self.expectNoKeyCarriesTwoReports(account.stripe)
        }
    }

    @Test func twoStoresOnOneAccountNeverShareAKey() async throws {
        try await Self.withAccount { account in
            let start = Self.story.start + 3600
            // A second instance started from a copy of the first one's file: the same store identity, the same row ids.
            try await Self.live(account, at: start, quantity: 3, id: "a", subscribe: true)
            let second = try TemporaryDirectory()
            defer { second.remove() }
            try Self.copyStore(from: account.directory.path, to: second.path)
            try await Self.live(account, at: start + 600, quantity: 4, id: "b")
            try await Self.live(account.store(in: second), at: start + 1200, quantity: 5, id: "c")
            // A third, fresh store whose client sends what the first one's did: the same ids, quantities and times. Its
            // reports have the same content as the first store's, and only the store identity tells them apart.
            let third = try TemporaryDirectory()
            defer { third.remove() }
            try await Self.live(account.store(in: third), at: start, quantity: 3, id: "a", subscribe: true)
            #expect(Self.billed(account.stripe) == [15, 15])
            Self.expectNoKeyCarriesTwoReports(account.stripe)
        }
    }

    /// Stripe keeps an idempotency key (and a meter identifier) for 24 hours. A report that landed but whose answer was
    /// lost, still pending a day later, is looked up in Stripe's summaries instead of being sent again under a key Stripe
    /// has forgotten; one that did not land is sent.
    @Test(arguments: [false, true], [false, true])
    func aReportOlderThanStripesKeyWindowIsCheckedBeforeItIsSentAgain(meter: Bool, landed: Bool) async throws {
        try await Self.withAccount { account in
            try await ReportingWorld.run(story: Self.story, account: account) { world in
                let stripe = world.stripe
                let start = Self.story.start + 3600
                world.at(start)
                try await world.deliver(Self.story.created)
                if meter { try await world.deliver(Self.story.switchedMidCycle(at: start)) }
                let endpoint: StripeEndpoint = meter ? .createMeterEvent : .createUsageRecord
                let billed = {
                    meter
                        ? stripe.meterTotal("api_requests", customer: ReportingWorld.customer, from: Self.story.start, to: Self.story.firstPeriod.end) ?? 0
                        : stripe.billedUsage(item: Self.item, period: Self.story.firstPeriod) ?? 0
                }

                // Every attempt of the call fails as far as meterbridge can tell: the first applied with its answer lost,
                // or not applied at all.
                world.at(start + 600)
                try await world.record(5, at: start + 500)
                stripe.inject([landed ? .dropConnection(.afterApplying) : .status(500)] + Array(repeating: .status(500), count: 4), on: endpoint)
                try await world.harness.reporter.flushNow()
                #expect(try await world.harness.database.dueReports(at: .distantFuture, limit: 10).count == 1)
                #expect(billed() == (landed ? 5 : 0))

                // A day and an hour later Stripe has forgotten the key: a blind re-send would count the usage twice.
                world.at(start + 600 + 25 * 3600)
                let calls = stripe.callCount(endpoint)
                try await world.flush()
                #expect(billed() == 5)
                #expect(stripe.callCount(meter ? .listMeterEventSummaries : .listUsageRecordSummaries) == 1)
                #expect(stripe.callCount(endpoint) == calls + (landed ? 0 : 1))
                #expect(try await world.harness.database.reports(customerID: ReportingWorld.customer).map(\.status) == [.sent])
            }
        }
    }

    /// A customer-level meter event past the key window: no item names the meter, so its summary cannot be read. It is
    /// not sent blindly; it waits as a dead letter saying why, for an operator to check and retry.
    @Test func aReportPastTheKeyWindowThatCannotBeCheckedIsADeadLetterNotASecondSend() async throws {
        try await Self.withAccount { account in
            try await ReportingWorld.run(story: Self.story, account: account) { world in
                let stripe = world.stripe
                let start = Self.story.start + 3600
                world.at(start)
                try await world.record(2, at: start - 600, customer: "cus_nosub")
                stripe.inject([.dropConnection(.afterApplying)] + Array(repeating: .status(500), count: 4), on: .createMeterEvent)
                try await world.harness.reporter.flushNow()
                world.at(start + 25 * 3600)
                let calls = stripe.callCount(.createMeterEvent)
                try await world.harness.reporter.flushNow()
                #expect(stripe.callCount(.createMeterEvent) == calls)
                let report = try #require(try await world.harness.database.reports(customerID: "cus_nosub").first)
                #expect(report.status == .dead)
                #expect(report.lastError?.contains("not sent again blindly") == true, "\(report.lastError ?? "")")
                #expect(Self.billed(stripe)[1] == 2)
                // The operator's `flush --retry-dead` is the decision to send it.
                #expect(try await world.harness.database.retryDeadReports(at: world.harness.clock.now) == 1)
            }
        }
    }
}
