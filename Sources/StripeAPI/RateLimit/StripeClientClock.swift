/// The time source of the rate limiter and the retry backoff: monotonic time since an arbitrary
/// origin, and a sleep until a point of that time. Injected so tests can run the token-bucket schedule
/// and backoff on a manual clock; ``continuous`` is the real one.
public protocol StripeClientClock: Sendable {
    /// Time elapsed since the clock's fixed origin.
    var now: Duration { get }
    /// Suspends until `now` reaches `deadline` (returns at once when it already has); throws
    /// `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

extension StripeClientClock where Self == ContinuousStripeClientClock {
    /// Real time, from `ContinuousClock`.
    public static var continuous: ContinuousStripeClientClock { ContinuousStripeClientClock() }
}

/// ``StripeClientClock`` over `ContinuousClock`; its origin is the moment it was made.
public struct ContinuousStripeClientClock: StripeClientClock {
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    public init() {
        origin = clock.now
    }

    public var now: Duration { origin.duration(to: clock.now) }

    public func sleep(until deadline: Duration) async throws {
        try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil)
    }
}
