import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import MeterBridge
import MeterBridgeTesting
import StripeEventBuilders
import TestPrimitives
import Testing

/// `replay --dry-run` reports what a replay would do and writes nothing at all.
struct ReplayDryRunTests {
    /// A store with a processed subscription and a dead event, closed.
    static func store(in directory: TemporaryDirectory, story: BillingStory) async throws {
        try await WebhookHarness.run(directory: directory) { harness, client in
            for payload in [story.created, story.migrationPlanned] { _ = try await harness.deliverSigned(payload, to: client) }
            _ = try await harness.deliverSigned(TestEvent.json(id: "evt_broken", type: "customer.subscription.updated", object: #"{"id":"\#(story.subscriptionID)","object":"subscription","customer":"cus_story","status":"active","items":{"object":"list","data":[{"id":"si_1","object":"subscription_item"}]}}"#), to: client)
            var processing = EventProcessor.Configuration()
            processing.maxAttempts = 1
            try await harness.processor(processing).processDue()
        }
    }

    @Test func aDryRunLeavesTheStoreFileByteForByteUnchanged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let story = BillingStory(shape: .basil)
        try await Self.store(in: directory, story: story)
        let path = directory.databasePath
        let before = ReplaySupport.checksum(path)
        let replayer = Replayer(machine: BillingMachineConfiguration(), clock: ManualClock(seconds: story.firstPeriod.end + 4000), logger: quietLogger)

        let reader = try await SQLiteReadOnlyDatabase.open(path: path, logger: quietLogger)
        // The renewal and its invoices, exported from Stripe: what would they do?
        var options = try ReplaySupport.importing(ReplaySupport.listObject([story.renewed, story.invoiceCreated, story.invoiceFinalized, story.created]))
        options.dryRun = true
        let imported = try await replayer.dryRun(options, reader: reader)
        #expect(imported.summary.imported == 3 && imported.summary.skipped == 1 && imported.summary.read == 3)
        let renewal = try #require(imported.events.first { $0.id == "evt_\(story.subscriptionID)_renewed" })
        let item = "si_\(story.subscriptionID)_api"
        let first = "\(StateDiff.label(story.firstPeriod))"
        #expect(renewal.outcome == "applied")
        #expect(renewal.changes.contains("\(item) mode legacy → meter"), "\(renewal.changes)")
        #expect(renewal.changes.contains("\(item) period \(first) open → ended"), "\(renewal.changes)")
        #expect(renewal.changes.contains("\(item) period \(StateDiff.label(story.secondPeriod)) new (open)"), "\(renewal.changes)")
        #expect(renewal.actions.contains("flush \(item) \(first) lastChance"), "\(renewal.actions)")
        #expect(renewal.actions.contains { $0.hasPrefix("switch_mode \(item) legacy → meter") }, "\(renewal.actions)")
        let finalized = try #require(imported.events.first { $0.id == "evt_\(story.subscriptionID)_invoice.finalized" })
        #expect(finalized.changes.contains("\(item) period \(first) invoiced → locked"), "\(finalized.changes)")

        // The dead event, replayed as it is: still failing, with the reason.
        options = ReplayOptions()
        options.dryRun = true
        let failed = try await replayer.dryRun(options, reader: reader)
        #expect(failed.summary.failed == 1)
        #expect(failed.events.first?.error?.contains("price") == true)

        // A rebuild: the same state as stored, except what time did since (the timers due by now fire).
        options.rebuild = true
        let rebuild = try await replayer.dryRun(options, reader: reader)
        #expect(rebuild.summary.read == 3 && rebuild.summary.failed == 1)
        await reader.close()
        #expect(ReplaySupport.checksum(path) == before, "the dry runs changed the store file")
        let database = try await SQLiteDatabase.open(path: path, logger: quietLogger, migrate: false)
        #expect(try await database.events(EventQuery()).count == 3)
        await database.close()
    }

    @Test func aDryRunBesideAWriterWithUncheckpointedChangesLeavesTheFileAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let story = BillingStory(shape: .acacia)
        try await Self.store(in: directory, story: story)
        // A live writer (serve) whose last commits are still in the WAL only.
        let writer = try await SQLiteDatabase.open(path: directory.databasePath, logger: quietLogger)
        _ = try await writer.store(ReceivedEvent(id: "evt_live", type: "customer.created", created: 1, livemode: false, payload: Array("{}".utf8), signature: "", receivedAt: 1))
        let before = ReplaySupport.checksum(directory.databasePath)
        let reader = try await SQLiteReadOnlyDatabase.open(path: directory.databasePath, logger: quietLogger)
        var options = ReplayOptions()
        options.dryRun = true
        options.status = .all
        let result = try await Replayer(machine: BillingMachineConfiguration(), logger: quietLogger).dryRun(options, reader: reader)
        #expect(result.summary.read == 4, "the dry run sees the writer's committed, uncheckpointed event")
        await reader.close()
        #expect(ReplaySupport.checksum(directory.databasePath) == before)
        await writer.close()
    }

    @Test func theReadOnlyStoreRefusesAMissingFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        await #expect(throws: SQLiteError.self) { try await SQLiteReadOnlyDatabase.open(path: directory.databasePath, logger: quietLogger) }
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath), "a dry run creates no store")
    }
}
