import BillingStore
import Dispatch
import Foundation
import Logging
import MeterBridgeTesting
import Testing

/// A logger that drops everything: tests never bootstrap the global logging system.
let testLogger = Logger(label: "billingstore.tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Opens a store in a fresh directory, runs `body`, then closes it and removes the directory.
func withDatabase<R>(
    configuration: SQLiteDatabase.Configuration = SQLiteDatabase.Configuration(),
    _ body: (SQLiteDatabase, TemporaryDirectory) async throws -> R
) async throws -> R {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let database = try await SQLiteDatabase.open(path: directory.databasePath, configuration: configuration, logger: testLogger)
    do {
        let result = try await body(database, directory)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

/// A minimal valid event; `payload` defaults to non-ASCII JSON bytes, as Stripe sends them.
func makeEvent(
    id: String,
    type: String = "invoice.created",
    created: Int64 = 1_712_100_000,
    subscriptionID: String? = "sub_1",
    receivedAt: Int64 = 1_712_100_000_000,
    payload: [UInt8]? = nil
) -> ReceivedEvent {
    ReceivedEvent(
        id: id,
        type: type,
        apiVersion: "2025-02-24.acacia",
        created: created,
        livemode: false,
        account: nil,
        objectType: "invoice",
        objectID: "in_\(id)",
        subscriptionID: subscriptionID,
        customerID: "cus_1",
        payload: payload ?? Array(#"{"id":"\#(id)","object":"event","description":"1 × Basic"}"#.utf8),
        signature: "t=1712100000,v1=\(String(repeating: "a", count: 64))",
        receivedAt: receivedAt
    )
}

/// Waits until `condition` holds, yielding in between; fails the test after `timeout`.
func waitUntil(
    timeout: Duration = .seconds(60),
    _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now > deadline {
            Issue.record("Timed out waiting until \(what)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        await Task.yield()
    }
}

/// Keeps the writer thread busy inside one write job until `release()`, so that jobs queue up behind it and the
/// next batch is exactly what the test enqueued.
final class WriterHold: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let job: Task<Void, any Error>

    /// Returns once the writer thread is running the holding job.
    init(_ database: SQLiteDatabase) async {
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let gate = self.gate
        // Unstructured: the holding write must outlive this initializer until release() (or deinit) lets it finish.
        job = Task {
            try await database.write { _ in
                startedContinuation.finish()
                // Blocks the writer thread (a dedicated thread, not the concurrency pool) until the test releases it.
                gate.wait()
            }
        }
        for await _ in started {}
    }

    deinit {
        // A test that fails before release() must not leave the writer blocked (close() would wait forever).
        gate.signal()
    }

    /// Lets the writer go on; waits for the holding job's own commit.
    func release() async throws {
        gate.signal()
        try await job.value
    }
}

/// An error thrown on purpose by a write job.
struct DeliberateFailure: Error, Equatable {
    let tag: String
}
