/// An invoice's `status`; values added by Stripe later decode as `.unknown`.
public enum InvoiceStatus: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case draft
    case open
    case paid
    case uncollectible
    case void
    /// A value this version of meterbridge does not know, kept verbatim.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "draft": self = .draft
        case "open": self = .open
        case "paid": self = .paid
        case "uncollectible": self = .uncollectible
        case "void": self = .void
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .draft: return "draft"
        case .open: return "open"
        case .paid: return "paid"
        case .uncollectible: return "uncollectible"
        case .void: return "void"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("active")` built by hand is `.active`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }
}
