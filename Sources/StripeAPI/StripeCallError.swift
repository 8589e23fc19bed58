/// Why a Stripe call failed, with what a reader (and the reporter deciding between "retry later" and
/// "dead letter") needs: Stripe's own error fields, the request id to quote to Stripe support, and
/// whether the same call may succeed later.
///
/// The description names the call and never the API key.
public struct StripeCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure. A struct over a private enum, so new codes can be added without breaking
    /// exhaustive switches in callers (the `ServiceRunnerError` / `PSQLError` pattern).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case rateLimited, serverError, network, timeout, invalidRequest, authentication, notFound
            case idempotencyConflict, unexpectedResponse, cancelled
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// HTTP 429: Stripe's rate limiter (or lock contention) refused the call before running it.
        public static let rateLimited = Code(.rateLimited)
        /// HTTP 5xx: Stripe failed; whether the call was applied is unknown, a retry with the same key is safe.
        public static let serverError = Code(.serverError)
        /// No answer: connection refused, reset or closed before a response.
        public static let network = Code(.network)
        /// No answer within the configured timeout; Stripe may still apply the request.
        public static let timeout = Code(.timeout)
        /// HTTP 400 (and other 4xx not listed here): the request is wrong and will stay wrong.
        public static let invalidRequest = Code(.invalidRequest)
        /// HTTP 401/403: the API key is missing, invalid, or lacks the permission.
        public static let authentication = Code(.authentication)
        /// HTTP 404: the subscription item or meter does not exist (or was deleted).
        public static let notFound = Code(.notFound)
        /// HTTP 409, or an `idempotency_error`: the key is in use by a concurrent request or was used with other parameters.
        public static let idempotencyConflict = Code(.idempotencyConflict)
        /// A 2xx answer whose body is not what Stripe sends for this call.
        public static let unexpectedResponse = Code(.unexpectedResponse)
        /// The calling task was cancelled before the call finished (while waiting for a token, a lock or a retry).
        public static let cancelled = Code(.cancelled)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The call that failed.
    public var operation: StripeOperation
    /// The HTTP status; nil when there was no answer.
    public var status: Int?
    /// Stripe's `error.type` (`invalid_request_error`, `api_error`, `idempotency_error`, …).
    public var stripeType: String?
    /// Stripe's `error.code` (`rate_limit`, `resource_missing`, `parameter_unknown`, …).
    public var stripeCode: String?
    /// Stripe's `error.message`, or what went wrong locally. Never contains the API key.
    public var message: String
    /// Stripe's `error.param`: the parameter at fault.
    public var param: String?
    /// The `Request-Id` header of the answer, for Stripe support and the dashboard's request log.
    public var requestID: String?
    /// Whether the same call (same idempotency key or identifier) may succeed later. Stripe's
    /// `Stripe-Should-Retry` header decides when present; otherwise 409, 429, 5xx, network errors and
    /// timeouts are retryable and every other 4xx is not.
    public var shouldRetry: Bool
    /// The `Retry-After` the answer asked for, if any.
    public var retryAfter: Duration?
    /// HTTP attempts made inside the call before it gave up (0 when it failed before sending).
    public var attempts: Int

    public init(
        code: Code,
        operation: StripeOperation,
        status: Int? = nil,
        stripeType: String? = nil,
        stripeCode: String? = nil,
        message: String,
        param: String? = nil,
        requestID: String? = nil,
        shouldRetry: Bool,
        retryAfter: Duration? = nil,
        attempts: Int = 0
    ) {
        self.code = code
        self.operation = operation
        self.status = status
        self.stripeType = stripeType
        self.stripeCode = stripeCode
        self.message = message
        self.param = param
        self.requestID = requestID
        self.shouldRetry = shouldRetry
        self.retryAfter = retryAfter
        self.attempts = attempts
    }

    /// `Stripe usage_records call failed: invalidRequest (HTTP 400, invalid_request_error, param timestamp,
    /// request req_123, 1 attempt, not retryable): Cannot create the usage record …`
    public var description: String {
        var details: [String] = []
        if let status { details.append("HTTP \(status)") }
        if let stripeType { details.append(stripeType) }
        if let stripeCode { details.append("code \(stripeCode)") }
        if let param { details.append("param \(param)") }
        if let requestID { details.append("request \(requestID)") }
        details.append(attempts == 1 ? "1 attempt" : "\(attempts) attempts")
        details.append(shouldRetry ? "retryable" : "not retryable")
        return "Stripe \(operation.rawValue) call failed: \(code) (\(details.joined(separator: ", "))): \(message)"
    }
}

extension StripeCallError {
    /// The default of `shouldRetry` for an HTTP status when Stripe sends no `Stripe-Should-Retry`:
    /// Stripe's SDKs retry 409 (conflicts, idempotency key in use), 429 and 5xx, and nothing else.
    public static func defaultShouldRetry(status: Int) -> Bool {
        status == 409 || status == 429 || status >= 500
    }

    /// The code for an error answer.
    static func code(status: Int, stripeType: String?) -> Code {
        switch status {
        case 401, 403: return .authentication
        case 404: return .notFound
        case 409: return .idempotencyConflict
        case 429: return .rateLimited
        case 500...: return .serverError
        default: return stripeType == "idempotency_error" ? .idempotencyConflict : .invalidRequest
        }
    }
}

extension StripeCallError {
    /// Stripe refused a usage record because the item's price is backed by a billing meter now: "Cannot create a usage
    /// record for si_… because it is not on the legacy metered billing system. Call /v1/billing/meter_events instead."
    /// The usage belongs on the meter (https://docs.stripe.com/billing/subscriptions/usage-based-legacy/migration-guide).
    public var isItemOnMeterPrice: Bool {
        guard operation == .createUsageRecord, status == 400 else { return false }
        let text = message.lowercased()
        return text.contains("not on the legacy metered billing system") || text.contains("backed by a billing meter")
            || text.contains("/v1/billing/meter_events instead")
    }
}
