/// The one clock of the service: wall-clock unix time, and a sleep until a point of it.
///
/// Declared in the core so the store, the Stripe client, the Stripe double and the application share it,
/// but the core never reads it: its functions take the time as a parameter. `SystemUnixClock` (module
/// `SystemClock`) reads the machine's clock; `ManualClock` (module `TestPrimitives`) is moved by tests.
public protocol UnixClock: Sendable {
    /// Time since the unix epoch (1970-01-01T00:00:00Z).
    var now: Duration { get }
    /// Suspends until `now` reaches `deadline` (returns at once when it already has); throws
    /// `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

extension UnixClock {
    /// Unix time in milliseconds.
    public func nowMilliseconds() -> Int64 {
        let (seconds, attoseconds) = now.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Unix time in whole seconds.
    public func nowSeconds() -> Int64 { nowMilliseconds() / 1000 }

    /// Suspends for `duration` of this clock's time.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}
