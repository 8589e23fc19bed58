/// How Stripe bills a subscription's changes (`billing_mode.type`, https://docs.stripe.com/billing/subscriptions/billing-mode):
/// `classic` drops the usage reported before a mid-cycle price change, `flexible` invoices it itself.
public enum BillingMode: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case classic
    case flexible
    /// A value this version of meterbridge does not know, kept verbatim (treated as classic).
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "classic": self = .classic
        case "flexible": self = .flexible
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .classic: return "classic"
        case .flexible: return "flexible"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("flexible")` built by hand is `.flexible`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }
}
