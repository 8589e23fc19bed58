/// A meter event the double accepted, as Stripe stores it.
public struct MeterEventRecord: Sendable, Equatable {
    public var identifier: String
    public var eventName: String
    /// The customer named by the meter's customer payload key.
    public var customer: String
    /// The whole-number value (1 for count meters that sent none).
    public var value: Int64
    /// The event's own time, which decides the window it is billed in.
    public var timestamp: Int64
    /// When Stripe received it: the 24-hour identifier and cancellation windows count from here.
    public var created: Int64
    /// Whether a `meter_event_adjustments` cancel removed it from every total.
    public var canceled: Bool
    /// Why Stripe would not bill it (an asynchronous error report), nil when it counts.
    public var errorCode: String?
    /// Arrival order, which breaks ties between equal timestamps for `last` meters.
    public var sequence: Int
}

/// What Stripe's asynchronous validation reports about an accepted event (`v1.billing.meter.error_report_triggered`).
public struct MeterEventErrorReport: Sendable, Equatable {
    /// Stripe's reason code, e.g. `meter_event_customer_not_found`.
    public var code: String
    public var identifier: String
    public var eventName: String
    public var message: String
}
