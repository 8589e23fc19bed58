import BillingCore
import Synchronization

/// What the reporter last saw, for `/readyz` and `status`: since when calls fail, the last success.
public final class ReporterStatus: Sendable {
    /// A copy of the reporter's health.
    public struct Snapshot: Sendable, Equatable {
        /// The first failure of the current run of failures; nil while calls succeed.
        public var failingSince: UnixTime?
        public var lastSuccess: UnixTime?
        public var lastError: String?
        /// False when no Stripe API key is configured: usage is kept, nothing is sent.
        public var reportingEnabled = true
    }

    private let state = Mutex(Snapshot())

    public init(reportingEnabled: Bool = true) {
        state.withLock { $0.reportingEnabled = reportingEnabled }
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func succeeded(at now: UnixTime) {
        state.withLock {
            $0.failingSince = nil
            $0.lastSuccess = now
        }
    }

    func failed(at now: UnixTime, error: String) {
        state.withLock {
            if $0.failingSince == nil { $0.failingSince = now }
            $0.lastError = error
        }
    }
}
