import Foundation

/// An error answer in Stripe's shape: `{"error":{"type","code","message","param","doc_url"}}`
/// with the HTTP status Stripe uses for it.
struct StripeError: Error, Sendable, Equatable {
    var status: Int
    /// `invalid_request_error`, `api_error` or `idempotency_error`.
    var type: String
    var code: String?
    var message: String
    var param: String?
    /// The `Stripe-Should-Retry` header, when Stripe sends one for this error.
    var shouldRetry: Bool?
    /// Whether an idempotency key keeps this answer. Stripe saves a result only once the endpoint
    /// began executing: "If incoming parameters failed validation … no idempotent result is saved"
    /// (docs.stripe.com/api/idempotent_requests). Business-rule errors after that are saved.
    var savedForIdempotency: Bool

    init(
        status: Int,
        type: String = "invalid_request_error",
        code: String? = nil,
        message: String,
        param: String? = nil,
        shouldRetry: Bool? = nil,
        savedForIdempotency: Bool = true
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.shouldRetry = shouldRetry
        self.savedForIdempotency = savedForIdempotency
    }

    /// The response body.
    var json: JSONOutput {
        var members: [(String, JSONOutput)] = []
        if let code {
            members.append(("code", .string(code)))
            members.append(("doc_url", .string("https://stripe.com/docs/error-codes/\(code.replacingOccurrences(of: "_", with: "-"))")))
        }
        members.append(("message", .string(message)))
        if let param { members.append(("param", .string(param))) }
        members.append(("type", .string(type)))
        return .object([("error", .object(members))])
    }

    /// The answer sent to the client.
    var response: StripeResponse {
        var response = StripeResponse(status: status, body: json)
        if let shouldRetry { response.headers.append(("Stripe-Should-Retry", shouldRetry ? "true" : "false")) }
        return response
    }
}

/// Validation errors: Stripe rejects these before the endpoint runs, so none is saved under an idempotency key.
extension StripeError {
    static func parameterMissing(_ name: String) -> StripeError {
        StripeError(status: 400, code: "parameter_missing", message: "Missing required param: \(name).", param: name, savedForIdempotency: false)
    }

    static func parameterUnknown(_ name: String) -> StripeError {
        StripeError(status: 400, code: "parameter_unknown", message: "Received unknown parameter: \(name)", param: name, savedForIdempotency: false)
    }

    /// Stripe treats an empty string as an attempt to unset a parameter, which create calls refuse.
    static func parameterEmpty(_ name: String) -> StripeError {
        StripeError(
            status: 400,
            code: "parameter_invalid_empty",
            message: "You passed an empty string for '\(name)'. We assume empty values are an attempt to unset a parameter; "
                + "however '\(name)' cannot be unset. You should remove '\(name)' from your request or supply a non-empty value.",
            param: name,
            savedForIdempotency: false
        )
    }

    static func invalidInteger(_ name: String, _ value: String) -> StripeError {
        StripeError(status: 400, code: "parameter_invalid_integer", message: "Invalid integer: \(value)", param: name, savedForIdempotency: false)
    }

    /// A value outside an enum or a range; `message` says which values are allowed.
    static func invalidValue(_ name: String, _ message: String) -> StripeError {
        StripeError(status: 400, message: message, param: name, savedForIdempotency: false)
    }

    /// A scalar sent where Stripe expects a hash (`cancel=x` instead of `cancel[identifier]=x`).
    static func invalidObject(_ name: String) -> StripeError {
        StripeError(status: 400, message: "Invalid object", param: name, savedForIdempotency: false)
    }
}

/// Errors raised after the endpoint began executing: saved under an idempotency key.
extension StripeError {
    static func resourceMissing(_ message: String, param: String?, status: Int = 404) -> StripeError {
        StripeError(status: status, code: "resource_missing", message: message, param: param)
    }

    static func rule(_ message: String, param: String?, code: String? = nil) -> StripeError {
        StripeError(status: 400, code: code, message: message, param: param)
    }
}
