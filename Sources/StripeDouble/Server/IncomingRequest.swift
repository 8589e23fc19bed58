import HTTPTypes

/// A request as the pipeline sees it: already read off the wire, not yet interpreted.
struct IncomingRequest: Sendable {
    var method: String
    var path: String
    var query: String?
    var headers: HTTPFields
    var body: String
}

/// What the HTTP layer should do with a processed request.
enum Outcome: Sendable {
    /// Send this answer with these extra headers.
    case respond(StripeResponse)
    /// Close the connection without answering.
    case drop
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let stripeVersion = HTTPField.Name("Stripe-Version")!
}
