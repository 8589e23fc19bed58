/// The update that removed an item: it lists the item in `previous_attributes` and no longer in
/// its snapshot, so it tells both when the item left and which period was its last.
public struct ItemRemoval: Sendable, Hashable, Codable, Comparable {
    /// The removing event's `created`.
    public var at: Int64
    /// The start of the item's period just before the removal, when the update showed it.
    public var lastPeriodStart: Int64?

    public init(at: Int64, lastPeriodStart: Int64?) {
        self.at = at
        self.lastPeriodStart = lastPeriodStart
    }

    public static func < (lhs: ItemRemoval, rhs: ItemRemoval) -> Bool {
        (lhs.at, lhs.lastPeriodStart ?? Int64.min) < (rhs.at, rhs.lastPeriodStart ?? Int64.min)
    }
}
