/// A meter event Stripe holds: accepted now, or already delivered earlier under the same identifier.
public struct StripeMeterEventResult: Sendable, Equatable {
    public var identifier: String
    public var eventName: String
    public var customer: String
    public var value: Int64
    /// Unix seconds: the event's own time, which decides the period it is billed in.
    public var timestamp: Int64
    /// True when Stripe refused the event because it already holds one with this identifier (a 400
    /// "An event already exists with identifier …"): an earlier attempt or an earlier run delivered it.
    /// That is success for the reporter, not an error.
    public var alreadyDelivered: Bool
    public var requestID: String?
    /// HTTP attempts the call took.
    public var attempts: Int

    public init(
        identifier: String, eventName: String, customer: String, value: Int64, timestamp: Int64, alreadyDelivered: Bool,
        requestID: String? = nil, attempts: Int = 1
    ) {
        self.identifier = identifier
        self.eventName = eventName
        self.customer = customer
        self.value = value
        self.timestamp = timestamp
        self.alreadyDelivered = alreadyDelivered
        self.requestID = requestID
        self.attempts = attempts
    }
}

/// A `meter_event_adjustments` cancellation Stripe accepted; it applies asynchronously (`status: pending`).
public struct StripeMeterEventCancellation: Sendable, Equatable {
    public var identifier: String
    public var eventName: String
    /// Stripe's `status`: `pending`, then `complete`.
    public var status: String
    public var requestID: String?

    public init(identifier: String, eventName: String, status: String, requestID: String? = nil) {
        self.identifier = identifier
        self.eventName = eventName
        self.status = status
        self.requestID = requestID
    }
}
