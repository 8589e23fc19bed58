import AsyncHTTPClient
import BillingCore
import Foundation
import NIOCore
import NIOHTTP1

/// A minimal Stripe client for the tests: form-encoded POSTs and GETs over a real socket.
struct StripeTestClient {
    var base: URL
    var apiKey: String? = StripeFixture.apiKey
    /// Sent as `Stripe-Version` unless nil.
    var version: String? = "2025-02-24.acacia"

    /// One answer, with the body parsed as JSON.
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
        /// `error.<field>` of a Stripe error body.
        func error(_ field: String) -> String? { json["error"]?[field]?.stringValue }
    }

    func post(
        _ path: String, _ form: [(String, String)], idempotencyKey: String? = nil, headers extra: [(String, String)] = [],
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        request.body = .bytes(ByteBuffer(string: Self.encode(form)))
        return try await send(request, extra: extra, timeout: timeout)
    }

    /// A POST with a body sent exactly as given.
    func postRaw(_ path: String, body: String, contentType: String) async throws -> Answer {
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request, extra: [], timeout: .seconds(10))
    }

    func get(_ path: String, _ query: [(String, String)] = [], headers extra: [(String, String)] = []) async throws -> Answer {
        let encoded = Self.encode(query)
        var request = HTTPClientRequest(url: base.absoluteString + path + (encoded.isEmpty ? "" : "?" + encoded))
        request.method = .GET
        return try await send(request, extra: extra, timeout: .seconds(10))
    }

    private func send(_ request: HTTPClientRequest, extra: [(String, String)], timeout: TimeAmount) async throws -> Answer {
        var request = request
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let version { request.headers.add(name: "Stripe-Version", value: version) }
        for (name, value) in extra { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    /// `application/x-www-form-urlencoded`, brackets escaped, as Stripe's SDKs send them.
    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }
}
