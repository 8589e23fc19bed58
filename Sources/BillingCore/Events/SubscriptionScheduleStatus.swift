/// A subscription schedule's `status`; values added by Stripe later decode as `.unknown`.
public enum SubscriptionScheduleStatus: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case notStarted
    case active
    case completed
    case released
    case canceled
    /// A value this version of meterbridge does not know, kept verbatim.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "not_started": self = .notStarted
        case "active": self = .active
        case "completed": self = .completed
        case "released": self = .released
        case "canceled": self = .canceled
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .notStarted: return "not_started"
        case .active: return "active"
        case .completed: return "completed"
        case .released: return "released"
        case .canceled: return "canceled"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("active")` built by hand is `.active`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }
}
