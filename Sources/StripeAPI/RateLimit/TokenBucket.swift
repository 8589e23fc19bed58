/// A token bucket, pure: `rate` tokens per second, at most `burst` banked, time passed in.
///
/// Kept as the "generic cell rate algorithm" form of the bucket (one theoretical arrival time instead of
/// a token count), in whole nanoseconds so schedules are exact. ``reserve(now:)`` hands out a token
/// even when none is left and says how long its holder must wait: callers queue in arrival order and
/// each sleeps once, without polling.
///
/// With `rate` 5/s and `burst` 5, eight calls arriving together wait:
///
/// | call | 1–5 | 6 | 7 | 8 |
/// |---|---|---|---|---|
/// | wait | 0 | 200 ms | 400 ms | 600 ms |
///
/// After an idle second the bucket is full again (5 immediate calls), never fuller.
///
/// Time is the wall clock's, which may step back: a time earlier than one already seen moves the whole
/// schedule back by the step, so waits stay what they were instead of growing by the step.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens per second.
    public let rate: Int
    /// Tokens that can be banked while idle: how many calls may go out back to back.
    public let burst: Int
    /// Nanoseconds between two tokens (rounded up, so the rate is never exceeded).
    public let interval: Int64
    /// When the bucket would be empty if every reserved token were used: the time from which the next
    /// token is free, plus the burst allowance.
    private var theoreticalArrival: Int64
    /// The latest time seen, in nanoseconds: to notice the clock stepping back.
    private var latest: Int64

    /// A full bucket at `now` (time since any fixed origin, as long as every call uses the same one).
    public init(rate: Int, burst: Int? = nil, now: Duration) {
        precondition(rate > 0, "Invalid rate limit: \(rate) calls per second")
        self.rate = rate
        self.burst = max(1, burst ?? rate)
        self.interval = (1_000_000_000 + Int64(rate) - 1) / Int64(rate)
        self.theoreticalArrival = Self.nanoseconds(now)
        self.latest = theoreticalArrival
    }

    /// Takes one token and returns how long to wait before using it: zero when one is banked.
    public mutating func reserve(now: Duration) -> Duration {
        let current = observe(now)
        let arrival = max(theoreticalArrival, current) + interval
        theoreticalArrival = arrival
        let wait = arrival - Int64(burst) * interval - current
        return .nanoseconds(max(0, wait))
    }

    /// Gives back a token reserved but never used (its holder was cancelled while waiting).
    public mutating func refund(now: Duration) {
        let current = observe(now)
        theoreticalArrival = max(current, theoreticalArrival - interval)
    }

    /// Tokens banked at `now` (whole tokens, without reserving any).
    public func available(now: Duration) -> Int {
        let current = Self.nanoseconds(now)
        // As if the step back, if this is one, had been observed.
        let debt = max(0, theoreticalArrival - max(0, latest - current) - current)
        return max(0, burst - Int((debt + interval - 1) / interval))
    }

    /// `now` in nanoseconds, after moving the schedule back by the step if the clock went back.
    private mutating func observe(_ now: Duration) -> Int64 {
        let current = Self.nanoseconds(now)
        if current < latest { theoreticalArrival -= latest - current }
        latest = current
        return current
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
