/// One snapshot's view of an item's price within a period. The sightings of a period, in snapshot order, show where
/// its price changed whatever order the webhooks came in: a switch lies between two neighbours with different prices.
/// Stored compactly (the state keeps one per update of the period): short keys, and only what orders them.
public struct PriceSighting: Sendable, Hashable, Codable, Comparable {
    /// The snapshot's event `created`.
    public var created: Int64
    /// The `previous_attributes` view, which sorts just before its own event's snapshot.
    public var isPrevious: Bool
    public var eventID: String
    public var priceID: String
    public var mode: ReportingMode

    public init(key: SnapshotKey, priceID: String, mode: ReportingMode) {
        self.created = key.created
        self.isPrevious = key.isPrevious
        self.eventID = key.eventID
        self.priceID = priceID
        self.mode = mode
    }

    public static func < (lhs: PriceSighting, rhs: PriceSighting) -> Bool {
        // The previous view of an event comes before the event; then created, then event id: a total order.
        (lhs.created, lhs.isPrevious ? 0 : 1, lhs.eventID) < (rhs.created, rhs.isPrevious ? 0 : 1, rhs.eventID)
    }

    /// Whether both come from the same view of the same event.
    func isSameView(as other: PriceSighting) -> Bool {
        created == other.created && isPrevious == other.isPrevious && eventID == other.eventID
    }

    private enum CodingKeys: String, CodingKey {
        case created = "at", isPrevious = "prev", eventID = "event", priceID = "price", mode
    }
}
