/// How usage for a subscription item reaches Stripe, derived from its price (docs/billing-rules.md, "Routing usage").
public enum ReportingMode: String, Sendable, Codable {
    /// Legacy usage records (`POST /v1/subscription_items/{id}/usage_records`).
    case legacy
    /// Billing meter events (`POST /v1/billing/meter_events`).
    case meter
    /// Not usage-based: licensed or one-time prices.
    case none
}
