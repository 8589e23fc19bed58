import ArgumentParser
import BillingCore
import BillingStore
import Foundation
import Logging
import MeterBridge
import MeterBridgeTesting
import SystemClock

/// `meterbridge generate-events` (hidden): a store full of realistic processed events, for `scripts/replay-benchmark`.
struct GenerateEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-events",
        abstract: "Benchmark support: write a new SQLite store holding COUNT realistic stored events (no derived state).",
        discussion: """
            Many subscriptions, each with its whole history (creation, renewals, invoices, migrations to a meter price, \
            cancellations) in both API shapes, and account events that name no subscription; all `processed`, as in a \
            store that has been serving. Derived state is left empty: `replay --rebuild` builds it.
            """,
        shouldDisplay: false
    )

    @Option(name: .long, help: ArgumentHelp("The new store file (must not exist).", valueName: "path"))
    var output: String

    @Option(name: .long, help: "How many events (whole subscriptions: a few more).")
    var count: Int = 1_000_000

    @Option(name: .long, help: "Seed: the same seed gives the same store.")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("End of the generated history, unix seconds (default: now).", valueName: "time"))
    var now: Int64?

    func validate() throws {
        guard !FileManager.default.fileExists(atPath: output) else {
            throw ValidationError("--output \(output) exists; remove it or choose another path")
        }
        guard count > 0 else { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let logger = Logger(label: "meterbridge.generate", factory: { _ in SwiftLogNoOpLogHandler() })
        // The schema through the store itself, then the rows through one plain connection in large transactions.
        await (try await SQLiteDatabase.open(path: output, logger: logger)).close()
        let connection = try SQLiteConnection(path: output)
        defer { connection.close() }
        try connection.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")
        let end = now ?? SystemUnixClock().now.seconds
        let bar = ProgressBar(label: "generate")
        var written = 0
        var subscriptions = Set<String>()
        try connection.execute("BEGIN")
        try ReplayBenchmarkEvents(seed: seed, now: end).generate(count: count) { events in
            for event in events {
                let envelope = event.envelope
                let received = UnixTime(seconds: envelope.created + 2).milliseconds
                try connection.run(
                    """
                    INSERT INTO events (id, type, api_version, created, livemode, account, object_type, object_id, subscription_id, customer_id,
                        signature, received_at, status, attempts, processed_at, payload)
                    VALUES (?1, ?2, ?3, ?4, 0, NULL, ?5, ?6, ?7, ?8, ?9, ?10, 'processed', 0, ?10, ?11)
                    """,
                    [
                        .text(envelope.id), .text(envelope.type), envelope.apiVersion.map(SQLiteValue.text) ?? .null, .integer(envelope.created),
                        envelope.dataObjectType.map(SQLiteValue.text) ?? .null, envelope.dataObjectID.map(SQLiteValue.text) ?? .null,
                        envelope.subscriptionID.map(SQLiteValue.text) ?? .null, envelope.customerID.map(SQLiteValue.text) ?? .null,
                        .text("t=\(envelope.created + 1),v1=\(String(repeating: "5f", count: 32))"), .integer(received), .blob(event.payload),
                    ]
                )
                if let subscription = envelope.subscriptionID { subscriptions.insert(subscription) }
                written += 1
                if written % 50_000 == 0 {
                    try connection.execute("COMMIT; BEGIN")
                }
            }
            bar.update(ReplayProgress(done: min(written, count), total: count))
        }
        try connection.execute("COMMIT")
        try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        bar.finish()
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("\(output): \(written) events of \(subscriptions.count) subscriptions, \(size / 1_048_576) MiB")
    }
}
