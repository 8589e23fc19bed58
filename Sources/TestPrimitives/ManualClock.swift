import BillingCore
import Synchronization

/// A ``UnixClock`` the test moves: time changes only when the test sets or advances it, or when a sleep
/// jumps it forward to its deadline (never back), so a token-bucket schedule or a backoff runs in
/// virtual time and its sleeps can be read off exactly.
public final class ManualClock: UnixClock {
    private struct State {
        var now: UnixTime
        var sleeps: [UnixTime] = []
    }

    private let state: Mutex<State>

    /// A clock reading `seconds` of unix time (zero: an origin for schedules that only measure time).
    public init(seconds: Int64 = 0) {
        state = Mutex(State(now: UnixTime(seconds: seconds)))
    }

    public var now: UnixTime { state.withLock { $0.now } }

    /// Every deadline slept until, in the order the sleeps began.
    public var sleeps: [UnixTime] { state.withLock { $0.sleeps } }

    public func sleep(until deadline: UnixTime) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(deadline)
            state.now = max(state.now, deadline)
        }
    }

    /// Sets the time to `seconds` of unix time, forwards or back.
    public func set(seconds: Int64) {
        state.withLock { $0.now = UnixTime(seconds: seconds) }
    }

    public func advance(seconds: Int64) {
        advance(by: .seconds(seconds))
    }

    public func advance(by duration: Duration) {
        state.withLock { $0.now += duration }
    }
}
