import BillingCore
import Logging
import NIOHTTP1

extension StripeClient {
    /// Every element of a Stripe list, page after page (`limit`, `starting_after`), with the answer it came in.
    func list(
        _ operation: StripeOperation, path: String, form: StripeForm, version: String, metadata: [String: String]
    ) async throws(StripeCallError) -> [(JSONValue, StripeAnswer)] {
        var elements: [(JSONValue, StripeAnswer)] = []
        var cursor: String?
        repeat {
            var page = form
            page.append("limit", String(min(max(configuration.pageSize, 1), 100)))
            if let cursor { page.append("starting_after", cursor) }
            let answer = try await perform(
                StripeRequest(
                    operation: operation, method: .GET, path: path, form: page, version: version,
                    metadata: metadata.mapValues { .string($0) }))
            guard let data = answer.json["data"]?.arrayValue else { throw unexpected(operation, answer, "The list has no data.") }
            elements += data.map { ($0, answer) }
            let hasMore = answer.json["has_more"]?.boolValue ?? false
            guard hasMore else { break }
            guard let last = data.last?["id"]?.stringValue else {
                throw unexpected(operation, answer, "The list says has_more but its last element has no id.")
            }
            cursor = last
        } while true
        return elements
    }

    func unexpected(_ operation: StripeOperation, _ answer: StripeAnswer, _ message: String) -> StripeCallError {
        StripeCallError(
            code: .unexpectedResponse, operation: operation, status: answer.status, message: message, requestID: answer.requestID,
            shouldRetry: false, attempts: answer.attempts)
    }
}
