/// The lifecycle of a local billing period (docs/state-machine.md). It only ever moves forward, so merging
/// facts in any order ends in the same state.
public enum PeriodState: String, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Usage accrues and is reported at the flush interval.
    case open
    /// A pre-boundary (or final) timer flush ran.
    case closing
    /// The boundary passed (a newer period, the renewal invoice, removal or cancellation revealed it).
    case ended
    /// The draft renewal invoice exists: meter usage in the period is still billed until it is finalized.
    case invoiced
    /// The invoice is finalized, or the subscription ended and the final flush was confirmed.
    case locked

    /// The order of the lifecycle (persisted by name, so a state can be added without a migration).
    var rank: Int {
        switch self {
        case .open: return 0
        case .closing: return 1
        case .ended: return 2
        case .invoiced: return 3
        case .locked: return 4
        }
    }

    public static func < (lhs: PeriodState, rhs: PeriodState) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }
}
