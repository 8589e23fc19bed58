/// A subscription schedule snapshot (`data.object` of `subscription_schedule.*`): the planned
/// phases that, among others, swap a legacy metered price for a meter price at a renewal.
public struct SubscriptionSchedule: Sendable, Equatable {
    public var id: String
    /// `subscription`: the id, or the expanded subscription's id; nil before the schedule starts.
    public var subscriptionID: String?
    /// `customer`: the id, or the expanded customer's id.
    public var customerID: String?
    public var status: SubscriptionScheduleStatus
    /// `current_phase` (`start_date`…`end_date`); nil when no phase is running.
    public var currentPhase: BillingPeriod?
    public var phases: [SchedulePhase]
    public var endBehavior: ScheduleEndBehavior?
    /// `released_subscription`: the subscription a released schedule let go of.
    public var releasedSubscriptionID: String?
    public var canceledAt: Int64?
    public var completedAt: Int64?
    public var releasedAt: Int64?

    /// Decodes a schedule object; `path` locates it in the event for error messages.
    public init(_ json: JSONValue, eventID: String, path: String = "data.object") throws(EventDecodingError) {
        let fields = try JSONFields(json, path: path, eventID: eventID)
        self.id = try fields.requiredString("id")
        self.subscriptionID = try fields.expandableID("subscription")
        self.customerID = try fields.expandableID("customer")
        self.status = SubscriptionScheduleStatus(rawValue: try fields.requiredString("status"))
        let current = try fields.object("current_phase")
        self.currentPhase = BillingPeriod(start: try current?.int64("start_date"), end: try current?.int64("end_date"))
        var phases: [SchedulePhase] = []
        for element in try fields.array("phases") {
            phases.append(try SchedulePhase(element.value, eventID: eventID, path: element.path))
        }
        self.phases = phases
        self.endBehavior = try fields.string("end_behavior").map(ScheduleEndBehavior.init(rawValue:))
        self.releasedSubscriptionID = try fields.expandableID("released_subscription")
        self.canceledAt = try fields.int64("canceled_at")
        self.completedAt = try fields.int64("completed_at")
        self.releasedAt = try fields.int64("released_at")
    }

    /// The first phase starting after `time`: the next planned transition, if any.
    public func nextPhase(after time: Int64) -> SchedulePhase? {
        phases.filter { $0.startDate > time }.min { $0.startDate < $1.startDate }
    }
}
