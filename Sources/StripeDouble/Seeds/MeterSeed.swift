/// A billing meter: the event name it listens to, the payload keys it reads and how it aggregates.
public struct MeterSeed: Sendable {
    public var id: String
    public var eventName: String
    public var aggregation: MeterAggregation
    /// `customer_mapping.event_payload_key` (Stripe's default `stripe_customer_id`).
    public var customerPayloadKey: String
    /// `value_settings.event_payload_key` (Stripe's default `value`).
    public var valuePayloadKey: String

    public init(
        id: String,
        eventName: String,
        aggregation: MeterAggregation = .sum,
        customerPayloadKey: String = "stripe_customer_id",
        valuePayloadKey: String = "value"
    ) {
        self.id = id
        self.eventName = eventName
        self.aggregation = aggregation
        self.customerPayloadKey = customerPayloadKey
        self.valuePayloadKey = valuePayloadKey
    }
}

/// A meter's `default_aggregation.formula`.
public enum MeterAggregation: String, Sendable, Hashable {
    /// Sum of the events' values.
    case sum
    /// Number of events; values are not read.
    case count
    /// The value of the latest event (by event timestamp) in the window.
    case last
}
