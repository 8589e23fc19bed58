import BillingCore
import Foundation
import MeterBridge
import MeterBridgeTesting
import StripeEventBuilders
import Testing

/// The real `meterbridge replay` beside a real `meterbridge serve` on the same SQLite file.
@Suite(.serialized)
struct ReplayCommandTests {
    static let secret = "whsec_replay_command"

    @Test func rebuildIsRefusedWhileServeRunsAndReplayAndDryRunsAreNot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let story = BillingStory(shape: .basil, start: Int64(Date().timeIntervalSince1970) - 86_400)
        let binary = try ServerProcess.builtBinary()
        let database = ["--database-url", "sqlite:\(directory.databasePath)", "--log-level", "error"]

        let port = try ServerProcess.freePort()
        let server = try ServerProcess(
            binary: binary, port: port, environment: RealServer.environment(port: port, databasePath: directory.databasePath, secret: Self.secret),
            logFile: "\(directory.path)/serve.log"
        )
        try await server.waitUntilServing()
        for payload in [story.created, story.migrationPlanned] {
            #expect(try await RealServer.deliver(payload, secret: Self.secret, to: "http://127.0.0.1:\(port)").status == 200)
        }

        let refused = try CommandRun.run(binary, ["replay", "--rebuild"] + database)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("meterbridge serve is running on \(directory.databasePath) (pid \(server.pid))"), "\(refused.errors)")

        // Beside serve: a dry run of the file Stripe would export, then the import itself.
        try Self.dryRunThenImportAnExport(binary: binary, database: database, directory: directory, story: story)

        let bad = "\(directory.path)/bad.jsonl"
        try Data(ReplaySupport.jsonLines([story.created, Array("{\"id\": \"evt_x\",".utf8)])).write(to: URL(fileURLWithPath: bad))
        let malformed = try CommandRun.run(binary, ["replay", "--file", bad] + database)
        #expect(malformed.status != 0)
        #expect(malformed.errors.contains("line 2: invalid JSON"), "\(malformed.errors)")

        let events = try CommandRun.run(binary, ["events", "--json", "--until", "\(story.start + 1)"] + database)
        #expect(events.status == 0, "\(events.errors)")
        #expect(events.output.contains("evt_\(story.subscriptionID)_created") && !events.output.contains("_schedule"))

        #expect(server.terminate() == 0, "graceful shutdown failed:\n\(server.log)")
        let rebuilt = try CommandRun.run(binary, ["replay", "--rebuild"] + database)
        #expect(rebuilt.status == 0, "\(rebuilt.errors)")
        #expect(rebuilt.output.contains("rebuilt: events read 3, applied 2, ignored 1, failed 0"), "\(rebuilt.output)")
        #expect(rebuilt.output.contains("nothing was sent to Stripe"))
        let help = try CommandRun.run(binary, ["replay", "--help"])
        #expect(help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("carry no Stripe signature"))
    }

    /// An export with the stored `created` event and a missed `customer.created`: the dry run shows the new one and
    /// writes nothing, the import stores it and skips the other.
    static func dryRunThenImportAnExport(binary: String, database: [String], directory: TemporaryDirectory, story: BillingStory) throws {
        let export = "\(directory.path)/events.json"
        let customer = TestEvent.json(id: "evt_missed_customer", type: "customer.created", object: #"{"id":"cus_story","object":"customer"}"#)
        try Data(ReplaySupport.listObject([story.created, customer])).write(to: URL(fileURLWithPath: export))
        let dryRun = try CommandRun.run(binary, ["replay", "--dry-run", "--file", export] + database)
        #expect(dryRun.status == 0, "\(dryRun.errors)")
        #expect(dryRun.output.contains("evt_missed_customer  customer.created"), "\(dryRun.output)")
        #expect(dryRun.output.contains("dry run, nothing written: events read 1, applied 0, ignored 1, failed 0, imported 1, repaired 0, skipped (already stored) 1"), "\(dryRun.output)")
        let imported = try CommandRun.run(binary, ["replay", "--file", export, "--json"] + database)
        #expect(imported.status == 0, "\(imported.errors)")
        let summary = try JSONDecoder().decode(ReplaySummary.self, from: Data(imported.output.utf8))
        #expect(summary.imported == 1 && summary.skipped == 1 && summary.ignored == 1)
    }
}

/// The real `meterbridge replay` beside a real `meterbridge serve` on one PostgreSQL database.
@Suite(.serialized, .enabled(if: TestPostgres.isTested, "needs PostgreSQL: MB_TEST_POSTGRES_URL (make test starts one)"))
struct PostgresReplayCommandTests {
    static let secret = "whsec_replay_command_postgres"

    @Test func replayAndDryRunWorkBesideServeAndRebuildNamesSQLite() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let story = BillingStory(shape: .basil, start: Int64(Date().timeIntervalSince1970) - 86_400)
            let binary = try ServerProcess.builtBinary()
            let database = ["--database-url", url, "--log-level", "error"]

            let port = try ServerProcess.freePort()
            var environment = RealServer.environment(port: port, databasePath: "", secret: Self.secret)
            environment["MB_DATABASE_URL"] = url
            let server = try ServerProcess(binary: binary, port: port, environment: environment, logFile: "\(directory.path)/serve.log")
            try await server.waitUntilServing(timeout: .seconds(60))
            for payload in [story.created, story.migrationPlanned] {
                #expect(try await RealServer.deliver(payload, secret: Self.secret, to: "http://127.0.0.1:\(port)").status == 200)
            }

            let refused = try CommandRun.run(binary, ["replay", "--rebuild"] + database)
            #expect(refused.status != 0)
            #expect(refused.errors.contains("--rebuild works on the SQLite store"), "\(refused.errors)")

            try ReplayCommandTests.dryRunThenImportAnExport(binary: binary, database: database, directory: directory, story: story)

            // Everything again, processed events included: the state machine recognises what it has seen.
            let again = try CommandRun.run(binary, ["replay", "--status", "all", "--json"] + database)
            #expect(again.status == 0, "\(again.errors)")
            let replayed = try JSONDecoder().decode(ReplaySummary.self, from: Data(again.output.utf8))
            #expect(replayed.read == 3 && replayed.failed == 0, "\(again.output)")
            #expect(server.terminate() == 0, "graceful shutdown failed:\n\(server.log)")
        }
    }
}
