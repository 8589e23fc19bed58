/// A recurring price's `usage_type`: `licensed` (per seat) or `metered` (per reported usage).
public enum UsageType: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case licensed
    case metered
    /// A value this version of meterbridge does not know, kept verbatim.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "licensed": self = .licensed
        case "metered": self = .metered
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .licensed: return "licensed"
        case .metered: return "metered"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("active")` built by hand is `.active`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }
}
