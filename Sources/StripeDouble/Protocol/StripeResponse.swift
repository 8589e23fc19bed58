/// A complete answer of the double: status, extra headers and a JSON body. Plain data, so an
/// idempotency key can keep it and replay it byte for byte.
struct StripeResponse: Sendable, Equatable {
    var status: Int
    /// Headers beyond `Content-Type` and `Request-Id`, in order (`Stripe-Should-Retry`, …).
    var headers: [(String, String)]
    var body: String

    init(status: Int, body: JSONOutput, headers: [(String, String)] = []) {
        self.status = status
        self.body = body.rendered()
        self.headers = headers
    }

    static func ok(_ body: JSONOutput) -> StripeResponse {
        StripeResponse(status: 200, body: body)
    }

    static func == (lhs: StripeResponse, rhs: StripeResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }
}
