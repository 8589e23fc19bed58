#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BillingCore

/// The machine's wall clock, for everything that runs for real.
public struct SystemUnixClock: UnixClock {
    public init() {}

    public var now: UnixTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UnixTime(sinceEpoch: .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec)))
    }

    public func sleep(until deadline: UnixTime) async throws {
        let remaining = deadline - now
        guard remaining > .zero else { return try Task.checkCancellation() }
        // Measured on the monotonic clock from here: a step of the wall clock during the sleep (NTP, an
        // operator) neither cuts it short nor stretches it.
        try await ContinuousClock().sleep(for: remaining, tolerance: nil)
    }
}

extension UnixClock where Self == SystemUnixClock {
    /// The machine's wall clock.
    public static var system: SystemUnixClock { SystemUnixClock() }
}
