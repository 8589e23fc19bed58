/// One phase of a subscription schedule: from `start_date` on, the subscription has these items.
public struct SchedulePhase: Sendable, Equatable {
    public var startDate: Int64
    /// `end_date`; nil for an open-ended last phase.
    public var endDate: Int64?
    public var items: [SchedulePhaseItem]

    public init(startDate: Int64, endDate: Int64? = nil, items: [SchedulePhaseItem] = []) {
        self.startDate = startDate
        self.endDate = endDate
        self.items = items
    }

    /// Decodes a phase; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String) throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.startDate = try fields.requiredInt64("start_date")
        self.endDate = try fields.int64("end_date")
        // API versions before 2020 listed a phase's prices under `plans`.
        let key = fields.value("items") != nil || fields.value("plans") == nil ? "items" : "plans"
        var items: [SchedulePhaseItem] = []
        for element in try fields.array(key) {
            items.append(try SchedulePhaseItem(element.value, eventID: eventID, path: element.path))
        }
        self.items = items
    }

    /// Whether the phase includes `time` (the end date belongs to the next phase).
    public func contains(_ time: Int64) -> Bool {
        startDate <= time && (endDate.map { time < $0 } ?? true)
    }
}
