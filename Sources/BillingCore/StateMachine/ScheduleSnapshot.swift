/// A `subscription_schedule.*` event as the state machine sees it.
public struct ScheduleSnapshot: Sendable, Equatable {
    public var eventID: String
    public var created: Int64
    public var schedule: SubscriptionSchedule

    public init(eventID: String, created: Int64, schedule: SubscriptionSchedule) {
        self.eventID = eventID
        self.created = created
        self.schedule = schedule
    }

    /// Reads the schedule from a decoded event.
    public init(event: StripeEvent) throws(EventDecodingError) {
        guard case .subscriptionSchedule(let schedule) = try event.decodeObject() else {
            throw .wrongType(
                "data.object.object", expected: "subscription_schedule", found: event.dataObjectType ?? "null", eventID: event.id
            )
        }
        self.init(eventID: event.id, created: event.created, schedule: schedule)
    }
}
