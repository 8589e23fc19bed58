import BillingCore
import Hummingbird
import NIOCore

/// The body of `POST /v1/flush`: empty, or `{"subscription":"sub_…","retry_dead":true}`.
struct FlushRequest {
    var subscription: String?
    var retryDead = false

    static func decode(_ request: Request, context: some RequestContext) async throws -> FlushRequest {
        let body = try await request.body.collect(upTo: 64 * 1024)
        guard body.readableBytes > 0 else { return FlushRequest() }
        let invalid = APIError.invalidRequest("invalid_flush_request", "Expected an empty body or {\"subscription\":\"sub_…\",\"retry_dead\":true}")
        guard let json = try? body.withUnsafeReadableBytes({ try JSONParser.parse($0) }), case .object(let fields) = json else { throw invalid }
        var flush = FlushRequest()
        for (key, value) in fields {
            switch (key, value) {
            case ("subscription", .string(let id)): flush.subscription = id
            case ("retry_dead", .bool(let retry)): flush.retryDead = retry
            default: throw APIError.invalidRequest("invalid_flush_request", "Unknown or mistyped field \(key); expected subscription (string) and retry_dead (boolean)")
            }
        }
        return flush
    }
}
