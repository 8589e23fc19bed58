/// Stripe's idempotency layer: the first result of each key, kept for `lifetime` seconds and
/// scoped per API key; retries replay it, other parameters or endpoints under the key are refused.
struct IdempotencyStore: Sendable {
    /// What the first request under a key was, and (once finished) what it answered.
    struct Entry: Sendable {
        var endpoint: StripeEndpoint
        var path: String
        var fingerprint: [String]
        var created: Int64
        /// Nil while the first request is still executing.
        var response: StripeResponse?
        var requestID: String
    }

    /// What to do with an incoming keyed request.
    enum Decision: Sendable, Equatable {
        /// First use of the key (or an expired one): execute it; the key is now reserved.
        case execute
        /// Same key, same parameters, finished: answer with the saved response.
        case replay(StripeResponse, originalRequest: String)
        /// Refuse with this error (different parameters or endpoint, or still in flight).
        case refuse(StripeError)
    }

    private var entries: [Key: Entry] = [:]

    private struct Key: Hashable {
        var apiKey: String
        var idempotencyKey: String
    }

    /// Looks the key up and reserves it when the request should execute.
    mutating func begin(
        apiKey: String, key: String, endpoint: StripeEndpoint, path: String, parameters: FormParameters,
        requestID: String, now: Int64, lifetime: Int64
    ) -> Decision {
        let storeKey = Key(apiKey: apiKey, idempotencyKey: key)
        let fingerprint = parameters.fingerprint
        if let entry = entries[storeKey], now - entry.created < lifetime {
            // Stripe: "Keys for idempotent requests can only be used for the same endpoint they were first used for".
            guard entry.path == path else {
                return .refuse(
                    StripeError(
                        status: 400, type: "idempotency_error",
                        message: "Keys for idempotent requests can only be used for the same endpoint they were first used for "
                            + "('\(entry.path)' vs '\(path)'). Try using a key other than '\(key)' if you meant to execute a different request.",
                        shouldRetry: false, savedForIdempotency: false))
            }
            // Stripe compares the parameters of a retry with the first request's.
            guard entry.fingerprint == fingerprint else {
                return .refuse(
                    StripeError(
                        status: 400, type: "idempotency_error",
                        message: "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                            + "Try using a key other than '\(key)' if you meant to execute a different request.",
                        shouldRetry: false, savedForIdempotency: false))
            }
            guard let response = entry.response else {
                // A concurrent request with the key is still executing: Stripe answers 409.
                return .refuse(
                    StripeError(
                        status: 409, type: "idempotency_error", code: "idempotency_key_in_use",
                        message: "There is currently another in-progress request using this Idempotent Key (that probably means "
                            + "you submitted twice, and the other request is still going through): \(key). Please try again later.",
                        shouldRetry: true, savedForIdempotency: false))
            }
            return .replay(response, originalRequest: entry.requestID)
        }
        entries[storeKey] = Entry(endpoint: endpoint, path: path, fingerprint: fingerprint, created: now, response: nil, requestID: requestID)
        return .execute
    }

    /// Saves the result of an executed request, or frees the key when Stripe would not save it.
    mutating func finish(apiKey: String, key: String, response: StripeResponse?) {
        let storeKey = Key(apiKey: apiKey, idempotencyKey: key)
        if let response {
            entries[storeKey]?.response = response
        } else {
            entries[storeKey] = nil
        }
    }
}
