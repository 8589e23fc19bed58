/// The flushes already emitted for one period: the period's share of the state's flush-key set.
public struct FlushReasons: OptionSet, Sendable, Hashable, Codable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ reason: FlushReason) {
        switch reason {
        case .preBoundary: self = FlushReasons(rawValue: 1)
        case .lastChance: self = FlushReasons(rawValue: 2)
        case .final: self = FlushReasons(rawValue: 4)
        }
    }

    public func contains(_ reason: FlushReason) -> Bool { contains(FlushReasons(reason)) }

    /// The reasons in declaration order.
    public var reasons: [FlushReason] { FlushReason.allCases.filter { contains($0) } }
}
