/// What an endpoint handler reads besides the double's state: the matched route, the decoded
/// parameters, the effective API version and the time.
struct EndpointRequest: Sendable {
    var route: MatchedRoute
    var path: String
    var parameters: FormParameters
    /// The `Stripe-Version` header, or the account's default version when none was sent.
    var version: APIVersion
    var livemode: Bool
    var now: Int64
    var settings: StripeAPIDouble.Configuration
}

extension DoubleState {
    /// Runs the endpoint's handler against the state.
    mutating func handle(_ request: EndpointRequest) throws(StripeError) -> StripeResponse {
        switch request.route.endpoint {
        case .createUsageRecord: return try createUsageRecord(request)
        case .listUsageRecordSummaries: return try listUsageRecordSummaries(request)
        case .createMeterEvent: return try createMeterEvent(request)
        case .createMeterEventAdjustment: return try createMeterEventAdjustment(request)
        case .listMeterEventSummaries: return try listMeterEventSummaries(request)
        case .listSubscriptions: return try listSubscriptions(request)
        }
    }

    /// Legacy usage endpoints do not exist from 2025-03-31.basil on: Stripe answers 400 for an
    /// endpoint removed in the requested version, so legacy calls must pin an acacia-or-earlier version.
    func requireUsageRecordVersion(_ request: EndpointRequest) throws(StripeError) {
        guard request.version.hasUsageRecords else {
            throw StripeError(
                status: 400,
                message: "Legacy usage records and usage record summaries are not available in API version \(request.version.description): "
                    + "they were removed in 2025-03-31.basil. Send `Stripe-Version: 2025-02-24.acacia` or earlier, "
                    + "or report usage with billing meter events.",
                savedForIdempotency: false)
        }
    }
}
