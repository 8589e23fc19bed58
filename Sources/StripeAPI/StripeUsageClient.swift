import BillingCore

/// The Stripe calls usage reporting and reconciliation make. ``StripeClient`` implements it over HTTP;
/// the reporter takes any conforming value, so its tests can also use a fake.
///
/// Every method retries retryable failures inside the call (same idempotency key or identifier on every
/// attempt) and throws the last error when it gives up: `shouldRetry` then says whether to keep the work
/// for a later attempt or dead-letter it.
public protocol StripeUsageClient: Sendable {
    /// `POST /v1/subscription_items/{id}/usage_records` with `Stripe-Version` pinned to the legacy version.
    /// `timestamp` must lie in the item's current period and not in the future; `idempotencyKey` (≤ 255
    /// characters) must be derived from the report row, so a retry after a crash is recognised.
    func createUsageRecord(
        subscriptionItem: String, quantity: Int64, timestamp: Int64, action: UsageRecordAction, idempotencyKey: String
    ) async throws(StripeCallError) -> StripeUsageRecordResult

    /// `POST /v1/billing/meter_events`. `value` goes out as a whole-number string; `identifier` (≤ 100
    /// characters, unique for 24 h) must be derived from the report row. A duplicate identifier is
    /// returned with `alreadyDelivered: true`, not thrown. One call at a time per (customer, event name).
    func createMeterEvent(
        eventName: String, customer: String, value: Int64, timestamp: Int64, identifier: String
    ) async throws(StripeCallError) -> StripeMeterEventResult

    /// `POST /v1/billing/meter_event_adjustments` with `type=cancel` (within 24 h of Stripe receiving the event).
    func cancelMeterEvent(eventName: String, identifier: String) async throws(StripeCallError) -> StripeMeterEventCancellation

    /// `GET /v1/billing/meters/{id}/event_summaries` for `[start, end)` (minute-aligned unix seconds), every
    /// page; one summary for the range, or one per `window`, newest first.
    func meterEventSummaries(
        meterID: String, customer: String, start: Int64, end: Int64, window: StripeMeterSummaryWindow?
    ) async throws(StripeCallError) -> [StripeMeterEventSummary]

    /// `GET /v1/subscription_items/{id}/usage_record_summaries` with the legacy version, every page:
    /// one summary per period, newest (the current one) first.
    func usageRecordSummaries(subscriptionItem: String) async throws(StripeCallError) -> [StripeUsageRecordSummary]

    /// `GET /v1/subscriptions?customer=…&status=all` with the meter version, every page: the customer's subscription
    /// objects as Stripe renders them (decoded as a webhook's `data.object` would be).
    func subscriptions(customer: String) async throws(StripeCallError) -> [JSONValue]
}

extension StripeUsageClient {
    /// Meter event summaries for the whole of `[start, end)`: one summary.
    public func meterEventSummaries(
        meterID: String, customer: String, start: Int64, end: Int64
    ) async throws(StripeCallError) -> [StripeMeterEventSummary] {
        try await meterEventSummaries(meterID: meterID, customer: customer, start: start, end: end, window: nil)
    }
}
