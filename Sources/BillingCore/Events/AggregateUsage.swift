/// A legacy metered price's `aggregate_usage` (API versions up to 2025-02-24.acacia only).
public enum AggregateUsage: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case sum
    case lastDuringPeriod
    case lastEver
    case max
    /// A value this version of meterbridge does not know, kept verbatim.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "sum": self = .sum
        case "last_during_period": self = .lastDuringPeriod
        case "last_ever": self = .lastEver
        case "max": self = .max
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .sum: return "sum"
        case .lastDuringPeriod: return "last_during_period"
        case .lastEver: return "last_ever"
        case .max: return "max"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("active")` built by hand is `.active`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }
}
