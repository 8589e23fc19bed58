/// The order of subscription snapshots: the per-object watermark (docs/billing-rules.md, ordering).
///
/// Snapshots compare by event `created`; within one second by the snapshot's own progress (later
/// current period, then more advanced status, then `cancel_at_period_end` set) and finally by
/// event id, so the order is total and every delivery order picks the same latest snapshot.
/// The view of `previous_attributes` sorts just before its own event's snapshot.
public struct SnapshotKey: Sendable, Hashable, Comparable, Codable {
    public var created: Int64
    /// Whether this is the "just before" view rebuilt from `previous_attributes`.
    public var isPrevious: Bool
    /// The latest current-period start in the snapshot (item periods from basil on).
    public var periodStart: Int64
    /// `SnapshotKey.rank(of:)` of the status.
    public var statusRank: UInt8
    public var cancelAtPeriodEnd: Bool
    public var eventID: String

    public init(created: Int64, isPrevious: Bool = false, periodStart: Int64, statusRank: UInt8, cancelAtPeriodEnd: Bool, eventID: String) {
        self.created = created
        self.isPrevious = isPrevious
        self.periodStart = periodStart
        self.statusRank = statusRank
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.eventID = eventID
    }

    /// The key of a snapshot.
    init(_ snapshot: SubscriptionSnapshot) {
        let subscription = snapshot.subscription
        var periodStart = subscription.currentPeriodStart ?? Int64.min
        for item in subscription.items {
            if let start = item.currentPeriodStart, start > periodStart { periodStart = start }
        }
        self.init(
            created: snapshot.created,
            periodStart: periodStart,
            statusRank: Self.rank(of: subscription.status),
            cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
            eventID: snapshot.eventID
        )
    }

    /// The key of the `previous_attributes` view of the same event.
    var previousView: SnapshotKey {
        var key = self
        key.isPrevious = true
        return key
    }

    /// How far a status is along the lifecycle: incomplete < trialing < active < past_due <
    /// unpaid/paused < canceled (incomplete_expired is as final as canceled; unknown values rank as active).
    public static func rank(of status: SubscriptionStatus) -> UInt8 {
        switch status {
        case .incomplete: return 1
        case .trialing: return 2
        case .active, .unknown: return 3
        case .pastDue: return 4
        case .unpaid, .paused: return 5
        case .canceled, .incompleteExpired: return 6
        }
    }

    /// Whether two different snapshots of the same second differ only by event id: the order the
    /// machine picks is deterministic but says nothing about which one Stripe produced last.
    func isAmbiguousTie(with other: SnapshotKey) -> Bool {
        created == other.created && isPrevious == other.isPrevious && periodStart == other.periodStart
            && statusRank == other.statusRank && cancelAtPeriodEnd == other.cancelAtPeriodEnd && eventID != other.eventID
    }

    public static func < (lhs: SnapshotKey, rhs: SnapshotKey) -> Bool {
        if lhs.created != rhs.created { return lhs.created < rhs.created }
        // The previous view of an event describes the moment before it.
        if lhs.isPrevious != rhs.isPrevious { return lhs.isPrevious }
        if lhs.periodStart != rhs.periodStart { return lhs.periodStart < rhs.periodStart }
        if lhs.statusRank != rhs.statusRank { return lhs.statusRank < rhs.statusRank }
        if lhs.cancelAtPeriodEnd != rhs.cancelAtPeriodEnd { return !lhs.cancelAtPeriodEnd }
        return lhs.eventID < rhs.eventID
    }
}
