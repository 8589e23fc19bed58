import Synchronization

/// A settable unix clock (whole seconds) for the double: tests move "now" by hand.
///
/// Everything time-dependent in the double reads the configuration's `now` closure: usage-record
/// period checks, the meter-event time window, identifier and idempotency-key expiry. Pass
/// `clock.now` there (``StripeAPIDouble/Configuration/init(apiKeys:clock:)`` does it for you).
public final class DoubleClock: Sendable {
    private let seconds: Atomic<Int64>

    public init(seconds: Int64) {
        self.seconds = Atomic(seconds)
    }

    /// The current unix time in seconds.
    public func now() -> Int64 {
        seconds.load(ordering: .relaxed)
    }

    public func set(seconds value: Int64) {
        seconds.store(value, ordering: .relaxed)
    }

    public func advance(seconds delta: Int64) {
        seconds.add(delta, ordering: .relaxed)
    }
}
