import Foundation

/// Where the service reads the time; tests pass a fixed or manual clock.
public protocol UnixClock: Sendable {
    /// Unix time in milliseconds.
    func nowMilliseconds() -> Int64
}

extension UnixClock {
    /// Unix time in whole seconds.
    public func nowSeconds() -> Int64 { nowMilliseconds() / 1000 }
}

/// The machine's wall clock.
public struct SystemUnixClock: UnixClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
