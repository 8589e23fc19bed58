/// A failure the double produces instead of (or around) a normal answer.
public enum InjectedFault: Sendable, Hashable, CustomStringConvertible {
    /// Answer `status` without applying the request, as Stripe's rate limiter (429) or a failure
    /// before the endpoint ran (5xx) would. `shouldRetry` sets the `Stripe-Should-Retry` header
    /// (absent when nil). Nothing is applied and no idempotent result is saved.
    case status(Int, shouldRetry: Bool? = nil)
    /// Wait this long (real time), then handle the request normally.
    case slow(Duration)
    /// Close the connection without answering.
    case dropConnection(DropPoint)

    /// Where a dropped connection is cut.
    public enum DropPoint: Sendable, Hashable {
        /// Before the request is applied: Stripe never saw it.
        case beforeApplying
        /// After the request was applied (and its idempotent result saved): Stripe processed it,
        /// the client never heard. A retry with the same idempotency key gets the saved answer.
        case afterApplying
    }

    /// Stripe's 429 with `Stripe-Should-Retry: true`.
    public static let rateLimited = InjectedFault.status(429, shouldRetry: true)

    public var description: String {
        switch self {
        case .status(let status, let shouldRetry): return "status(\(status), shouldRetry: \(shouldRetry.map(String.init) ?? "nil"))"
        case .slow(let duration): return "slow(\(duration))"
        case .dropConnection(.beforeApplying): return "dropConnection(beforeApplying)"
        case .dropConnection(.afterApplying): return "dropConnection(afterApplying)"
        }
    }

    /// The error body Stripe sends with this status.
    var error: StripeError? {
        guard case .status(let status, let shouldRetry) = self else { return nil }
        switch status {
        case 429:
            return StripeError(
                status: 429, code: "rate_limit",
                message: "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
                shouldRetry: shouldRetry, savedForIdempotency: false)
        case 500...:
            return StripeError(
                status: status, type: "api_error", message: "An unknown error occurred", shouldRetry: shouldRetry,
                savedForIdempotency: false)
        default:
            return StripeError(status: status, message: "Injected error \(status)", shouldRetry: shouldRetry, savedForIdempotency: false)
        }
    }
}
