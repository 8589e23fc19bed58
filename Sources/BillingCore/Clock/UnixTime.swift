/// A point in wall-clock time: how long after the unix epoch (1970-01-01T00:00:00Z).
///
/// One type for every instant, so a count of seconds cannot be passed where milliseconds are meant: the unit is
/// named once, at ``init(milliseconds:)`` or ``init(seconds:)`` and at ``milliseconds`` or ``seconds``.
/// It keeps the clock's full precision, not whole milliseconds, because the rate limiter's token bucket schedules
/// calls a fraction of a millisecond apart; the store and Stripe see only the whole units they keep.
public struct UnixTime: Sendable, Hashable, Comparable {
    /// Time since the epoch.
    public var sinceEpoch: Duration

    public init(sinceEpoch: Duration) {
        self.sinceEpoch = sinceEpoch
    }

    /// The instant `milliseconds` unix milliseconds, as the store keeps it.
    public init(milliseconds: Int64) {
        self.init(sinceEpoch: .milliseconds(milliseconds))
    }

    /// The instant `seconds` unix seconds, as Stripe sends and takes it.
    public init(seconds: Int64) {
        self.init(sinceEpoch: .seconds(seconds))
    }

    /// The epoch itself: an origin for schedules that only measure time.
    public static let epoch = UnixTime(sinceEpoch: .zero)

    /// Later than any real time: "everything due", still a whole number of milliseconds and seconds.
    public static let distantFuture = UnixTime(milliseconds: .max)

    /// Whole unix milliseconds (truncated).
    public var milliseconds: Int64 { sinceEpoch.wholeMilliseconds }

    /// Whole unix seconds (truncated): Stripe's timestamps.
    public var seconds: Int64 { milliseconds / 1000 }

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }

    public static func + (lhs: UnixTime, rhs: Duration) -> UnixTime { UnixTime(sinceEpoch: lhs.sinceEpoch + rhs) }

    public static func - (lhs: UnixTime, rhs: Duration) -> UnixTime { UnixTime(sinceEpoch: lhs.sinceEpoch - rhs) }

    /// How long after `rhs` `lhs` is (negative when it is before).
    public static func - (lhs: UnixTime, rhs: UnixTime) -> Duration { lhs.sinceEpoch - rhs.sinceEpoch }

    public static func += (lhs: inout UnixTime, rhs: Duration) { lhs = lhs + rhs }
}

extension UnixTime: Codable {
    /// Encoded as its unix milliseconds, the integer the store's columns hold.
    public init(from decoder: any Decoder) throws {
        self.init(milliseconds: try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}

extension UnixTime: CustomStringConvertible {
    public var description: String { "\(milliseconds) ms" }
}

extension Duration {
    /// Whole milliseconds (truncated), for the store's millisecond columns and timeouts given in milliseconds.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
