import HTTPTypes

/// One request the double received, and what became of it.
public struct RecordedRequest: Sendable {
    /// Arrival order, from 1.
    public var sequence: Int
    public var method: String
    /// The path without the query string.
    public var path: String
    public var query: String?
    /// Nil for paths the double does not serve (answered 404).
    public var endpoint: StripeEndpoint?
    public var headers: HTTPFields
    /// Decoded form parameters (the body for POST, the query for GET).
    public var parameters: FormParameters
    /// The answer's status; nil when the connection was dropped instead.
    public var status: Int?
    /// The answer's body; empty when the connection was dropped.
    public var responseBody: String
    /// The injected fault this request met, if any.
    public var fault: InjectedFault?
    /// Whether the answer was an idempotent replay of an earlier one.
    public var replayed: Bool
    /// Whether the request changed Stripe's state (usage recorded, event stored or cancelled).
    public var applied: Bool
    /// The double's clock when the request was handled.
    public var receivedAt: Int64

    public var idempotencyKey: String? { headers[HTTPField.Name("Idempotency-Key")!] }
    public var stripeVersion: String? { headers[HTTPField.Name("Stripe-Version")!] }

    /// The last value sent for a parameter (`"quantity"`, `"payload[value]"`).
    public func parameter(_ name: String) -> String? {
        parameters[name]
    }
}
