/// The Stripe API calls the client makes; the raw value is the `stripe.endpoint` log metadata and the
/// `endpoint` metric dimension.
public enum StripeOperation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `POST /v1/subscription_items/{id}/usage_records` (legacy, pinned to an acacia-or-earlier version).
    case createUsageRecord = "usage_records"
    /// `GET /v1/subscription_items/{id}/usage_record_summaries` (legacy, pinned to an acacia-or-earlier version).
    case listUsageRecordSummaries = "usage_record_summaries"
    /// `POST /v1/billing/meter_events`.
    case createMeterEvent = "meter_events"
    /// `POST /v1/billing/meter_event_adjustments` with `type=cancel`.
    case cancelMeterEvent = "meter_event_adjustments"
    /// `GET /v1/billing/meters/{id}/event_summaries`.
    case listMeterEventSummaries = "event_summaries"
    /// `GET /v1/subscriptions?customer=…&status=all`: a customer's subscriptions, when usage arrives for none known.
    case listSubscriptions = "subscriptions"

    public var description: String { rawValue }
}
