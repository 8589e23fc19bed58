import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import MeterBridge
import MeterBridgeTesting
import StripeDouble
import StripeEventBuilders
import Testing

/// `replay --rebuild`: derived state rebuilt from every stored event is the state live processing reached, and nothing
/// reaches Stripe again.
@Suite(.serialized)
struct RebuildTests {
    /// The migration story lived through by the real processor, scheduler and reporter against the Stripe double:
    /// legacy usage, a schedule moving the item to a meter price at the renewal, boundary flushes, the switch, the
    /// invoice, then a cancellation at the end of the meter period whose final flush the reporter confirms.
    static func liveMigration(_ world: ReportingWorld) async throws {
        let story = world.story
        let item = "si_\(story.subscriptionID)_api"
        try await world.deliver(story.created, story.migrationPlanned)
        try await world.record(40, at: story.start + 100)
        try await world.record(2, at: story.start + 200)
        try await world.flush()
        let end = story.firstPeriod.end
        world.at(end - 10)
        try await world.flush(onlyActions: true)
        world.at(end + 30)
        _ = try world.stripe.advancePeriod(item: item, to: story.secondPeriod)
        try world.stripe.changePrice(item: item, to: UsageReportingTests.meterPrice)
        try await world.deliver(story.renewed, story.invoiceCreated)
        try await world.record(11, at: end + 10)
        try await world.flush()
        world.at(end + 3700)
        try await world.deliver(story.invoiceFinalized)
        try await world.record(4, at: end + 3600)
        try await world.flush()

        let second = story.secondPeriod
        let meterSubscription = story.subscription(price: story.meter, period: second)
        let cancelling = story.subscription(price: story.meter, period: second, cancelAtPeriodEnd: true)
        world.at(second.start + 5 * 86_400)
        try await world.deliver(TestEvents.subscription(
            "customer.subscription.updated", id: "evt_\(story.subscriptionID)_cancel", created: world.now, cancelling, previous: meterSubscription, shape: story.shape
        ).serializedBytes)
        try await world.record(6, at: world.now - 60)
        try await world.flush()
        world.at(second.end - 10)
        try await world.flush(onlyActions: true)
        world.at(second.end + 5)
        var ended = cancelling
        ended.status = "canceled"
        ended.canceledAt = second.end
        ended.endedAt = second.end
        try await world.deliver(TestEvents.subscription(
            "customer.subscription.deleted", id: "evt_\(story.subscriptionID)_deleted", created: second.end, ended, shape: story.shape
        ).serializedBytes)
        try await world.record(3, at: second.end - 5)
        try await world.flush()
    }

    @Test(arguments: APIShape.allCases)
    func aRebuildOfTheMigrationStoryGivesTheLiveStateAndSendsNothing(shape: APIShape) async throws {
        try await ReportingWorld.run(story: BillingStory(shape: shape)) { world in
            try await Self.liveMigration(world)
            let database = world.harness.database
            let story = world.story
            let live = try await ReplaySupport.views(database)
            let liveTimers = try await database.timers(subscriptionID: story.subscriptionID)
            let reports = try await database.reports(customerID: ReportingWorld.customer)
            let requests = world.stripe.requests().count
            #expect(live.first?.items.first?.periods.map(\.state) == ["locked", "locked"], "the story ends with both periods locked")
            // The lock of the confirmation waits for the reporter's next round, live; it keeps waiting after the rebuild.
            let waiting = try await database.pendingActions(limit: 10).map { [$0.kind, "\($0.action)"] }

            var options = ReplayOptions()
            options.rebuild = true
            let summary = try await ReplaySupport.replayer(world.harness).run(options, store: database)
            #expect(summary.read == 7 && summary.applied == 7 && summary.failed == 0 && summary.subscriptions == 1)
            #expect(summary.actions > 0)
            #expect(summary.actionsRecordedDone == 0, "every action was carried out live, and is recorded once")
            #expect(summary.finalFlushesConfirmed == 1)

            #expect(try await ReplaySupport.views(database) == live)
            #expect(try await database.timers(subscriptionID: story.subscriptionID) == liveTimers)
            let after = try await database.pendingActions(limit: 10).map { [$0.kind, "\($0.action)"] }
            #expect(after == waiting, "nothing new for the reporter to carry out: \(waiting) → \(after)")
            #expect(try await database.reports(customerID: ReportingWorld.customer) == reports, "the usage ledger is untouched")
            try await world.flush()
            #expect(world.stripe.requests().count == requests, "nothing new reached Stripe")
        }
    }

    @Test func aRebuildWithoutDerivedStateRecordsItsActionsAsDoneAndReportsNothingAgain() async throws {
        try await ReportingWorld.run(story: BillingStory(shape: .basil)) { world in
            try await Self.liveMigration(world)
            let database = world.harness.database
            let live = try await ReplaySupport.views(database)
            let requests = world.stripe.requests().count
            let sent = try await database.reports(customerID: ReportingWorld.customer).filter { $0.status == .sent }.count
            // Derived state lost entirely (done actions too): the rebuild has no record of what was carried out.
            _ = try await database.write { try $0.execute("DELETE FROM subscriptions; DELETE FROM timers; DELETE FROM actions;") }
            var options = ReplayOptions()
            options.rebuild = true
            let summary = try await ReplaySupport.replayer(world.harness).run(options, store: database)
            #expect(summary.actionsRecordedDone == summary.actions)
            #expect(try await ReplaySupport.views(database) == live)
            #expect(try await database.pendingActions(limit: 10).isEmpty)
            #expect(try await database.reports(customerID: ReportingWorld.customer).filter { $0.status == .sent }.count == sent)
            try await world.flush()
            #expect(world.stripe.requests().count == requests, "no rereport, no flush: nothing reached Stripe")
        }
    }

    @Test func actionsStillWaitingBeforeARebuildKeepWaiting() async throws {
        let story = BillingStory(shape: .basil)
        try await WebhookHarness.run { harness, client in
            for payload in [story.created, story.migrationPlanned] { _ = try await harness.deliverSigned(payload, to: client) }
            try await harness.processor().processDue()
            // No reporter ran: the actions of these events were never carried out.
            let waiting = try await harness.database.pendingActions(limit: 100)
            #expect(!waiting.isEmpty)
            var options = ReplayOptions()
            options.rebuild = true
            let summary = try await ReplaySupport.replayer(harness).run(options, store: harness.database)
            #expect(summary.actionsRecordedDone == 0)
            let after = try await harness.database.pendingActions(limit: 100)
            #expect(after.map(\.kind) == waiting.map(\.kind))
            #expect(after.map(\.payload) == waiting.map(\.payload))
        }
    }

    @Test func aRebuildThatFailsHalfwayChangesNothing() async throws {
        let story = BillingStory(shape: .acacia)
        try await WebhookHarness.run { harness, client in
            for payload in [story.created, story.migrationPlanned] { _ = try await harness.deliverSigned(payload, to: client) }
            try await harness.processor().processDue()
            let before = try await ReplaySupport.views(harness.database)
            let actions = try await harness.database.actionCounts()
            struct Interrupted: Error {}
            await #expect(throws: Interrupted.self) {
                _ = try await harness.database.rebuildDerivedState(now: .epoch, retryAt: .epoch, maxAttempts: 8) { sink in
                    try await sink.add(actions: [RebuildAction(subscriptionID: story.subscriptionID, eventID: nil, action: .stopShadowMeter(itemID: "si_1"))])
                    throw Interrupted()
                }
            }
            #expect(try await ReplaySupport.views(harness.database) == before)
            #expect(try await harness.database.actionCounts() == actions)
        }
    }

    @Test func aRebuildIsRefusedWhileServeHoldsTheStore() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.databasePath
        var serving: StoreLock? = try StoreLock.forServing(databasePath: path)
        var second: StoreLock? = try StoreLock.forServing(databasePath: path)
        #expect(throws: StoreLock.Busy.self) { try StoreLock.forRebuild(databasePath: path) }
        do {
            _ = try StoreLock.forRebuild(databasePath: path)
        } catch let busy as StoreLock.Busy {
            #expect(busy.description.contains("serve is running on \(path) (pid \(getpid()))"), "\(busy)")
        }
        withExtendedLifetime(serving) {}
        serving = nil
        #expect(throws: StoreLock.Busy.self) { try StoreLock.forRebuild(databasePath: path) }
        withExtendedLifetime(second) {}
        second = nil
        let rebuilding = try StoreLock.forRebuild(databasePath: path)
        #expect(throws: StoreLock.Busy.self) { try StoreLock.forServing(databasePath: path) }
        withExtendedLifetime(rebuilding) {}
    }
}
