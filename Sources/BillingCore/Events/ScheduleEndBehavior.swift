/// What a schedule does after its last phase (`end_behavior`); legacy `none`/`renew` decode as `.unknown`.
public enum ScheduleEndBehavior: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case release
    case cancel
    /// A value this version of meterbridge does not know, kept verbatim.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "release": self = .release
        case "cancel": self = .cancel
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .release: return "release"
        case .cancel: return "cancel"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("active")` built by hand is `.active`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }
}
