/// A subscription's `status`; values added by Stripe later decode as `.unknown`.
public enum SubscriptionStatus: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case incomplete
    case incompleteExpired
    case trialing
    case active
    case pastDue
    case canceled
    case unpaid
    case paused
    /// A value this version of meterbridge does not know, kept verbatim.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "incomplete": self = .incomplete
        case "incomplete_expired": self = .incompleteExpired
        case "trialing": self = .trialing
        case "active": self = .active
        case "past_due": self = .pastDue
        case "canceled": self = .canceled
        case "unpaid": self = .unpaid
        case "paused": self = .paused
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .incomplete: return "incomplete"
        case .incompleteExpired: return "incomplete_expired"
        case .trialing: return "trialing"
        case .active: return "active"
        case .pastDue: return "past_due"
        case .canceled: return "canceled"
        case .unpaid: return "unpaid"
        case .paused: return "paused"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("active")` built by hand is `.active`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }
}
