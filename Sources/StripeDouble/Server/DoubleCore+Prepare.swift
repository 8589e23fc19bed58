import HTTPTypes

extension DoubleCore {
    /// Routing, authentication, version and body decoding: the checks Stripe makes before any
    /// endpoint runs. `parameters` is filled as soon as they are decoded, for the request log.
    func prepare(_ incoming: IncomingRequest, parameters: inout FormParameters) throws(StripeError) -> Prepared {
        guard let route = MatchedRoute(method: incoming.method, path: incoming.path) else {
            throw StripeError(
                status: 404,
                message: "Unrecognized request URL (\(incoming.method): \(incoming.path)). "
                    + "Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                savedForIdempotency: false)
        }
        let apiKey = try Authentication.apiKey(authorization: incoming.headers[.authorization], accepted: configuration.apiKeys)
        var version = defaultVersion
        if let header = incoming.headers[.stripeVersion] {
            guard let parsed = APIVersion(header) else {
                throw StripeError(status: 400, message: "Invalid Stripe API version: \(header)", savedForIdempotency: false)
            }
            version = parsed
        }
        parameters = try decodeParameters(incoming)
        var idempotencyKey: String?
        // Idempotency keys apply to POST only: "Sending idempotency keys in GET and DELETE requests has no effect".
        if route.endpoint.isCreate, let key = incoming.headers[.idempotencyKey], !key.isEmpty {
            // "Keys … can be up to 255 characters long" (API reference, idempotent requests).
            guard key.count <= 255 else {
                throw StripeError(status: 400, message: "Idempotency-Key must be at most 255 characters long (got \(key.count)).",
                    savedForIdempotency: false)
            }
            idempotencyKey = key
        }
        return Prepared(route: route, apiKey: apiKey, version: version, parameters: parameters, idempotencyKey: idempotencyKey)
    }

    /// The query string's parameters, then (for POST) the form body's. Stripe's v1 API takes
    /// form-encoded bodies only and refuses others (JSON included) with a 400.
    private func decodeParameters(_ incoming: IncomingRequest) throws(StripeError) -> FormParameters {
        guard var parameters = FormParameters(urlEncoded: Substring(incoming.query ?? "")) else {
            throw StripeError(status: 400, message: "Invalid request: the query string is not valid URL encoding.", savedForIdempotency: false)
        }
        guard incoming.method == "POST", !incoming.body.isEmpty else { return parameters }
        let contentType = incoming.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded"), let body = FormParameters(urlEncoded: Substring(incoming.body)) else {
            throw StripeError(
                status: 400,
                message: "Invalid request (check that your POST content type is application/x-www-form-urlencoded). "
                    + "If you have any questions, we can help at https://support.stripe.com/.",
                savedForIdempotency: false)
        }
        parameters.pairs += body.pairs
        return parameters
    }
}
