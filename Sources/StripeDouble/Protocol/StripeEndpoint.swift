/// The Stripe API operations the double serves; faults and call counts are kept per endpoint.
public enum StripeEndpoint: String, Sendable, Hashable, CaseIterable {
    /// `POST /v1/subscription_items/{id}/usage_records` (legacy, acacia and earlier).
    case createUsageRecord = "usage_records"
    /// `GET /v1/subscription_items/{id}/usage_record_summaries` (legacy, acacia and earlier).
    case listUsageRecordSummaries = "usage_record_summaries"
    /// `POST /v1/billing/meter_events`.
    case createMeterEvent = "meter_events"
    /// `POST /v1/billing/meter_event_adjustments`.
    case createMeterEventAdjustment = "meter_event_adjustments"
    /// `GET /v1/billing/meters/{id}/event_summaries`.
    case listMeterEventSummaries = "event_summaries"
    /// `GET /v1/subscriptions`.
    case listSubscriptions = "subscriptions"

    /// Whether the operation creates something (POST): only those take idempotency keys.
    public var isCreate: Bool {
        switch self {
        case .createUsageRecord, .createMeterEvent, .createMeterEventAdjustment: return true
        case .listUsageRecordSummaries, .listMeterEventSummaries, .listSubscriptions: return false
        }
    }
}

/// A request path matched to an endpoint, with the object id the path names.
struct MatchedRoute: Sendable, Equatable {
    var endpoint: StripeEndpoint
    /// The `{id}` path component: a subscription item or a meter id; nil for collection paths.
    var objectID: String?

    /// Matches a method and a path (without query); nil for anything the double does not serve,
    /// which Stripe answers with 404 "Unrecognized request URL".
    init?(method: String, path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        switch (method, parts.count) {
        case ("POST", 4) where parts[0] == "v1" && parts[1] == "subscription_items" && parts[3] == "usage_records" && !parts[2].isEmpty:
            self.init(endpoint: .createUsageRecord, objectID: parts[2])
        case ("GET", 4) where parts[0] == "v1" && parts[1] == "subscription_items" && parts[3] == "usage_record_summaries" && !parts[2].isEmpty:
            self.init(endpoint: .listUsageRecordSummaries, objectID: parts[2])
        case ("GET", 2) where parts == ["v1", "subscriptions"]:
            self.init(endpoint: .listSubscriptions, objectID: nil)
        case ("POST", 3) where parts == ["v1", "billing", "meter_events"]:
            self.init(endpoint: .createMeterEvent, objectID: nil)
        case ("POST", 3) where parts == ["v1", "billing", "meter_event_adjustments"]:
            self.init(endpoint: .createMeterEventAdjustment, objectID: nil)
        case ("GET", 5) where parts[0] == "v1" && parts[1] == "billing" && parts[2] == "meters" && parts[4] == "event_summaries" && !parts[3].isEmpty:
            self.init(endpoint: .listMeterEventSummaries, objectID: parts[3])
        default:
            return nil
        }
    }

    init(endpoint: StripeEndpoint, objectID: String?) {
        self.endpoint = endpoint
        self.objectID = objectID
    }
}
