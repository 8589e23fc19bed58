import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import StripeEventBuilders
import Testing

/// `meterbridge replay` of selected events and imports (issue: replay, reconciliation and the operator's CLI).
struct ReplayTests {
    @Test func aFailedEventIsProcessedOnceItsCorrectCopyIsImportedFromStripe() async throws {
        let story = BillingStory(shape: .basil)
        try await WebhookHarness.run(configure: { $0.adminToken = EventProcessorTests.token }) { harness, client in
            // The webhook endpoint delivered a copy meterbridge cannot decode; the processor gives up on it.
            #expect(try await harness.deliverSigned(ReplaySupport.brokenCreation(story), to: client).status == .ok)
            var processing = EventProcessor.Configuration()
            processing.maxAttempts = 1
            try await harness.processor(processing).processDue()
            let id = "evt_\(story.subscriptionID)_created"
            #expect(try await harness.database.event(id: id)?.status == .dead)

            // Replaying it as it is fails again, and says why.
            let replayer = ReplaySupport.replayer(harness, maxAttempts: 1)
            let again = try await replayer.run(ReplayOptions(), store: harness.database)
            #expect(again.read == 1 && again.failed == 1 && again.applied == 0)
            #expect(again.failures.first?.error.contains("price") == true)
            #expect(try await harness.database.event(id: id)?.status == .dead)

            // Stripe's copy of the same event (`stripe events list`), in a version meterbridge decodes: repaired, replayed.
            let fixed = try await replayer.run(try ReplaySupport.importing(ReplaySupport.listObject([story.created])), store: harness.database)
            #expect(fixed.repaired == 1 && fixed.imported == 0 && fixed.skipped == 0)
            #expect(fixed.applied == 1 && fixed.failed == 0 && fixed.subscriptions == 1)
            let stored = try #require(try await harness.database.event(id: id))
            #expect(stored.status == .processed)
            #expect(stored.lastError == nil)
            #expect(stored.event.signature == EventFile.importedSignature)
            let view = try await EventProcessorTests.subscription(story.subscriptionID, client)
            #expect(view.items.map(\.mode) == ["legacy"])
            #expect(view.items.first?.periods.map(\.state) == ["open"])
            // The actions it implies wait for the reporter, as if the processor had taken the event.
            #expect(try await harness.database.pendingActions(limit: 10).contains { $0.kind == "open_period" })

            // Nothing failed is left: the default replay has nothing to do.
            let nothing = try await replayer.run(ReplayOptions(), store: harness.database)
            #expect(nothing.read == 0)
        }
    }

    @Test func replayingAppliedEventsByTypeOrIDDecidesNothingNew() async throws {
        let story = BillingStory(shape: .acacia)
        try await WebhookHarness.run { harness, client in
            for payload in [story.created, story.migrationPlanned] { _ = try await harness.deliverSigned(payload, to: client) }
            try await harness.processor().processDue()
            let before = try await ReplaySupport.views(harness.database)
            let actions = try await harness.database.actions(subscriptionID: story.subscriptionID).count
            var options = ReplayOptions()
            options.status = .all
            options.types = ["subscription_schedule.updated"]
            let byType = try await ReplaySupport.replayer(harness).run(options, store: harness.database)
            #expect(byType.read == 1 && byType.applied == 1 && byType.actions == 0)
            options = ReplayOptions()
            options.status = .all
            options.eventIDs = ["evt_\(story.subscriptionID)_created", "evt_unknown"]
            let byID = try await ReplaySupport.replayer(harness).run(options, store: harness.database)
            #expect(byID.read == 1 && byID.applied == 1 && byID.actions == 0)
            options = ReplayOptions()
            options.status = .all
            options.until = story.start
            #expect(try await ReplaySupport.replayer(harness).run(options, store: harness.database).read == 0, "--until is exclusive")
            #expect(try await ReplaySupport.views(harness.database) == before)
            #expect(try await harness.database.actions(subscriptionID: story.subscriptionID).count == actions)
        }
    }

    enum FileFormat: String, CaseIterable, Sendable {
        case event, array, list, jsonLines
    }

    @Test(arguments: FileFormat.allCases)
    func importsEachFileFormatAndSkipsIdsAlreadyStored(format: FileFormat) async throws {
        let story = BillingStory(shape: .basil)
        try await WebhookHarness.run { harness, client in
            // The schedule event arrived by webhook; the creation and a customer event were missed (an outage).
            _ = try await harness.deliverSigned(story.migrationPlanned, to: client)
            try await harness.processor().processDue()
            let events = [story.created, story.migrationPlanned, ReplaySupport.customerEvent]
            let file: [UInt8]
            switch format {
            case .event: file = Array(story.created) + Array("\n".utf8)
            case .array: file = ReplaySupport.array(events)
            case .list: file = ReplaySupport.listObject(events)
            case .jsonLines: file = ReplaySupport.jsonLines(events)
            }
            let options = try ReplaySupport.importing(file)
            #expect(options.file?.format.rawValue == format.rawValue.replacingOccurrences(of: "jsonLines", with: "json_lines"))
            let summary = try await ReplaySupport.replayer(harness).run(options, store: harness.database)
            let created = try #require(try await harness.database.event(id: "evt_\(story.subscriptionID)_created"))
            #expect(created.status == .processed)
            #expect(created.event.signature == "imported")
            switch format {
            case .event, .jsonLines:
                // A whole document of the file keeps its bytes exactly.
                #expect(created.event.payload == story.created)
            case .array, .list:
                #expect(created.event.payload == ReplaySupport.reserialized(story.created))
            }
            if format == .event {
                #expect(summary.imported == 1 && summary.skipped == 0 && summary.applied == 1)
                let twice = try await ReplaySupport.replayer(harness).run(options, store: harness.database)
                #expect(twice.imported == 0 && twice.skipped == 1 && twice.read == 0)
            } else {
                #expect(summary.imported == 2 && summary.skipped == 1)
                #expect(summary.applied == 1 && summary.ignored == 1)
                #expect(try await harness.database.event(id: "evt_customer_created")?.status == .ignored)
                // The skipped event was left exactly as the webhook stored it.
                let schedule = try #require(try await harness.database.event(id: "evt_\(story.subscriptionID)_schedule"))
                #expect(schedule.event.signature != "imported")
            }
            let view = try await harness.database.subscription(id: story.subscriptionID).map(SubscriptionView.init(record:))
            #expect(view?.items.first?.periods.count == 1)
            #expect(format == .event || view?.plannedTransitions.count == 1)
        }
    }

    enum MalformedFile: String, CaseIterable, Sendable {
        case truncatedLine, lineWithoutType, elementWithoutType, brokenElement, brokenListElement, notEvents, empty
    }

    @Test(arguments: MalformedFile.allCases)
    func aMalformedFileNamesItsLineOrElementAndStoresNothing(_ kind: MalformedFile) async throws {
        let story = BillingStory(shape: .basil)
        let good = [story.created, story.migrationPlanned]
        let file: [UInt8]
        let expected: EventFileError
        switch kind {
        case .truncatedLine:
            file = ReplaySupport.jsonLines(good + [Array(#"{"id":"evt_cut","object":"event","type":"invoice.paid""#.utf8)])
            expected = EventFileError(message: "", line: 3)
        case .lineWithoutType:
            file = ReplaySupport.jsonLines([story.created, Array(#"{"id":"evt_x","object":"event","created":1}"#.utf8), story.migrationPlanned])
            expected = EventFileError(message: "", line: 2)
        case .elementWithoutType:
            file = ReplaySupport.array([story.created, story.migrationPlanned, Array(#"{"id":"evt_x","object":"event","created":1}"#.utf8)])
            expected = EventFileError(message: "", index: 2)
        case .brokenElement:
            file = ReplaySupport.array([story.created, Array(#"{"id":"evt_x","object":"event","created":}"#.utf8), story.migrationPlanned])
            expected = EventFileError(message: "", index: 1)
        case .brokenListElement:
            file = ReplaySupport.listObject([story.created, story.migrationPlanned, Array(#"{"id": "evt_x", "created": tru}"#.utf8)])
            expected = EventFileError(message: "", index: 2, inList: true)
        case .notEvents:
            file = Array(#"["evt_1", "evt_2"]"#.utf8)
            expected = EventFileError(message: "", index: 0)
        case .empty:
            file = Array(" \n".utf8)
            expected = EventFileError(message: "the file is empty")
        }
        try await WebhookHarness.run { harness, _ in
            let before = try await harness.database.counts().values.reduce(0, +)
            var error: EventFileError?
            do {
                _ = try await ReplaySupport.replayer(harness).run(try ReplaySupport.importing(file), store: harness.database)
            } catch let failure as EventFileError {
                error = failure
            }
            let failure = try #require(error, "the file was accepted")
            #expect(failure.line == expected.line)
            #expect(failure.index == expected.index)
            #expect(failure.inList == expected.inList)
            if let line = expected.line { #expect(failure.description.hasPrefix("line \(line):"), "\(failure)") }
            if let index = expected.index { #expect(failure.description.hasPrefix(expected.inList ? "data[\(index)]:" : "index \(index):"), "\(failure)") }
            #expect(try await harness.database.counts().values.reduce(0, +) == before, "nothing of a bad file is stored")
        }
    }

    @Test func replayRunsBesideAProcessorOnTheSameFileWithoutLosingAnEvent() async throws {
        // Two handles on one file, as `serve` and the CLI are two processes: SQLite's locks and busy timeout serialise
        // their writers, and the replay's commit starts over when the processor changed the subscription meanwhile.
        try await WebhookHarness.run { harness, client in
            let stories = (0..<6).map { BillingStory(shape: $0 % 2 == 0 ? .basil : .acacia, subscriptionID: "sub_beside_\($0)") }
            for story in stories { _ = try await harness.deliverSigned(story.created, to: client) }
            try await harness.processor().processDue()
            let other = try await SQLiteDatabase.open(path: harness.directory.databasePath, logger: quietLogger)
            let replayer = ReplaySupport.replayer(harness)
            var all = ReplayOptions()
            all.status = .all
            let options = all
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for story in stories {
                        for payload in [story.migrationPlanned, story.renewed, story.invoiceCreated, story.invoiceFinalized] {
                            _ = try await harness.deliverSigned(payload, to: client)
                            try await harness.processor().processDue()
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<5 { _ = try await replayer.run(options, store: other) }
                }
                try await group.waitForAll()
            }
            _ = try await replayer.run(options, store: other)
            await other.close()
            // Every subscription ends where applying its five events once, in order, ends.
            for story in stories {
                var machine = BillingStateMachine(subscriptionID: story.subscriptionID, configuration: MeterBridgeRuntime.machineConfiguration(harness.configuration))
                for payload in [story.created, story.migrationPlanned, story.renewed, story.invoiceCreated, story.invoiceFinalized] {
                    if let input = try BillingInput(event: StripeEvent(parsing: payload)) { _ = machine.apply(input, now: WebhookHarness.now) }
                }
                let stored = try #require(try await harness.database.subscription(id: story.subscriptionID))
                var view = try SubscriptionView(record: stored)
                var expected = try SubscriptionView(record: SubscriptionRecord(
                    id: story.subscriptionID, customerID: nil, updatedAt: .epoch, state: [UInt8](JSONEncoder().encode(machine.state))
                ))
                view.updatedAt = 0
                expected.updatedAt = 0
                #expect(view == expected)
            }
            #expect(try await harness.database.counts()[.processed] == stories.count * 5)
        }
    }
}
