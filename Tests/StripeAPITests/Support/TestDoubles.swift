import Logging
import StripeAPI
import Synchronization

/// Records everything the client reports; `onRetry` runs inline when a retry is scheduled, so a test
/// can act at that exact moment (release a slow request) without sleeping.
final class RecordingObserver: StripeCallObserver {
    struct Attempt: Sendable, Equatable {
        var operation: StripeOperation
        var status: Int?
        var code: StripeCallError.Code?
    }

    struct Retry: Sendable {
        var operation: StripeOperation
        var attempt: Int
        var error: StripeCallError
        var delay: Duration
    }

    private struct State {
        var attempts: [Attempt] = []
        var retries: [Retry] = []
        var rateLimitWaits: [Duration] = []
        var queued: [StripeOperation] = []
    }

    private let state = Mutex(State())
    private let onRetry: @Sendable (StripeCallError) -> Void

    init(onRetry: @escaping @Sendable (StripeCallError) -> Void = { _ in }) {
        self.onRetry = onRetry
    }

    var attempts: [Attempt] { state.withLock { $0.attempts } }
    var retries: [Retry] { state.withLock { $0.retries } }
    var rateLimitWaits: [Duration] { state.withLock { $0.rateLimitWaits } }
    var queued: [StripeOperation] { state.withLock { $0.queued } }

    func attemptFinished(_ operation: StripeOperation, status: Int?, error: StripeCallError?, duration: Duration) {
        state.withLock { $0.attempts.append(Attempt(operation: operation, status: status, code: error?.code)) }
    }

    func retryScheduled(_ operation: StripeOperation, afterAttempt attempt: Int, error: StripeCallError, delay: Duration) {
        state.withLock { $0.retries.append(Retry(operation: operation, attempt: attempt, error: error, delay: delay)) }
        onRetry(error)
    }

    func rateLimitWaited(_ operation: StripeOperation, duration: Duration) {
        state.withLock { $0.rateLimitWaits.append(duration) }
    }

    func queuedBehindConcurrentCall(_ operation: StripeOperation) {
        state.withLock { $0.queued.append(operation) }
    }
}

/// Keeps every log record in memory (no global bootstrap in tests), at trace level.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func append(_ record: Record) {
        records.withLock { $0.append(record) }
    }

    func logger() -> Logger {
        var logger = Logger(label: "StripeAPITests") { _ in CapturingLogHandler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every message and metadata key and value, for "the key never appears" checks.
    var text: String {
        all.map { record in ([record.message] + record.metadata.map { "\($0.key)=\($0.value)" }).joined(separator: " ") }
            .joined(separator: "\n")
    }
}

struct CapturingLogHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        sink.append(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}

/// Waits until `condition` holds, polling, or fails after `timeout`: never a sleep for synchronisation.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !condition() {
        guard clock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(2))
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "Timed out waiting for \(what)" }
}
