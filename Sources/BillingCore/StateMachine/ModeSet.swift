/// The usage channels a period was reported through (a mid-cycle switch gives both). Union only,
/// so observations merge in any order.
public struct ModeSet: OptionSet, Sendable, Hashable, Codable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let legacy = ModeSet(rawValue: 1)
    public static let meter = ModeSet(rawValue: 2)

    /// The set for one reporting mode (`none` is empty: nothing to flush).
    public init(_ mode: ReportingMode) {
        switch mode {
        case .legacy: self = .legacy
        case .meter: self = .meter
        case .none: self = []
        }
    }

    /// Whether the period takes usage at all.
    public var isUsageBased: Bool { !isEmpty }
}
