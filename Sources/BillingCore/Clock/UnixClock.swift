/// The one clock of the service: wall-clock unix time, and a sleep until a point of it.
///
/// Declared in the core so the store, the Stripe client, the Stripe double and the application share it,
/// but the core never reads it: its functions take the time as a parameter. `SystemUnixClock` (module
/// `SystemClock`) reads the machine's clock; `ManualClock` (module `TestPrimitives`) is moved by tests.
public protocol UnixClock: Sendable {
    /// The current instant.
    var now: UnixTime { get }
    /// Suspends until `now` reaches `deadline` (returns at once when it already has); throws
    /// `CancellationError` when the task is cancelled.
    func sleep(until deadline: UnixTime) async throws
}

extension UnixClock {
    /// Suspends for `duration` of this clock's time.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}
