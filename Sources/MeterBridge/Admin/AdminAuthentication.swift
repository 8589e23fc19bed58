import BillingCore
import HTTPTypes
import Hummingbird

/// Bearer-token check for `/v1/*`: off (403) without a configured token, constant-time comparison with one.
struct AdminAuthentication<Context: RequestContext>: RouterMiddleware {
    private let key: HMACSHA256Key?
    private let expected: [UInt8]

    init(token: String?) {
        let key = token.map { HMACSHA256Key(secret: $0) }
        self.key = key
        expected = token.flatMap { token in key?.authenticationCode(for: Array(token.utf8)) } ?? []
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key else {
            return APIError(status: .forbidden, type: "invalid_request_error", code: "admin_api_disabled",
                            message: "The admin API is off; set MB_ADMIN_TOKEN (admin_token) to enable /v1/*").response
        }
        let presented = request.headers[.authorization].flatMap { value -> Substring? in
            value.hasPrefix("Bearer ") ? value.dropFirst("Bearer ".count) : nil
        }
        // Compared as keyed digests of equal length, so neither the bytes nor the token's length leak through timing.
        guard let presented, ConstantTime.equals(key.authenticationCode(for: Array(presented.utf8)), expected) else {
            return APIError(status: .unauthorized, type: "authentication_error", code: "invalid_admin_token",
                            message: "Send the admin token as `Authorization: Bearer <MB_ADMIN_TOKEN>`").response
        }
        return try await next(request, context)
    }
}
