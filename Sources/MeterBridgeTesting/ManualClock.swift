import MeterBridge
import Synchronization

/// A clock tests set by hand: time moves only when the test says so.
public final class ManualClock: UnixClock {
    private let milliseconds: Atomic<Int64>

    public init(seconds: Int64) {
        milliseconds = Atomic(seconds * 1000)
    }

    public func nowMilliseconds() -> Int64 {
        milliseconds.load(ordering: .relaxed)
    }

    public func set(seconds: Int64) {
        milliseconds.store(seconds * 1000, ordering: .relaxed)
    }

    public func advance(seconds: Int64) {
        milliseconds.add(seconds * 1000, ordering: .relaxed)
    }
}
