/// The latest known plan of one subscription schedule. Last writer wins on `(created, event id)`;
/// a released, canceled, completed or aborted schedule stays finished whatever arrives later.
public struct ScheduleRecord: Sendable, Hashable, Codable {
    public let id: String
    public private(set) var created: Int64
    public private(set) var eventID: String
    /// Released, canceled, completed or aborted: it plans nothing any more.
    public private(set) var isFinished: Bool
    /// The next phase's changes; nil when none is planned.
    public private(set) var nextChange: PhaseChange?

    init(id: String, created: Int64, eventID: String, isFinished: Bool, nextChange: PhaseChange?) {
        self.id = id
        self.created = created
        self.eventID = eventID
        self.isFinished = isFinished
        self.nextChange = isFinished ? nil : nextChange
    }

    /// Merges a newer report of the schedule; returns false when it changes nothing (stale or duplicate).
    mutating func merge(_ other: ScheduleRecord) -> Bool {
        let newer = (other.created, other.eventID) > (created, eventID)
        switch (isFinished, other.isFinished) {
        case (true, false):
            // A finished schedule stays finished: a late `updated` from before the release is stale.
            return false
        case (false, true):
            // Finishing wins over any plan, even one reported later in the same second.
            self = other
            return true
        case (true, true), (false, false):
            guard newer else { return false }
            self = other
            return true
        }
    }
}
