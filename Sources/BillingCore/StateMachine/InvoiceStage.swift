/// How far a renewal invoice has progressed. Facts about one invoice only move it forward, so a
/// late `invoice.created` never undoes `invoice.finalized`.
public enum InvoiceStage: String, Sendable, Hashable, Codable, Comparable {
    case draft
    /// Finalized (open), including a failed payment attempt.
    case open
    case uncollectible
    case void
    case paid

    /// How far along the stage is (persisted by name).
    var rank: Int {
        switch self {
        case .draft: return 0
        case .open: return 1
        case .uncollectible: return 2
        case .void: return 3
        case .paid: return 4
        }
    }

    public static func < (lhs: InvoiceStage, rhs: InvoiceStage) -> Bool { lhs.rank < rhs.rank }

    /// The stage a snapshot's `status` implies.
    init(_ status: InvoiceStatus?) {
        switch status {
        case .draft?, .unknown?, nil: self = .draft
        case .open?: self = .open
        case .uncollectible?: self = .uncollectible
        case .void?: self = .void
        case .paid?: self = .paid
        }
    }

    /// Whether the invoice is final: nothing more can be billed in its period.
    public var isFinalized: Bool { self >= .open }
}
