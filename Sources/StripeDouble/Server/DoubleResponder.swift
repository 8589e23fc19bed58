import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The Hummingbird responder: reads the whole request, runs the pipeline, and writes the answer
/// (or closes the connection when a fault says so).
struct DoubleResponder: HTTPResponder {
    typealias Context = DoubleRequestContext

    let core: DoubleCore

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: core.configuration.maximumBodySize)
        } catch {
            return Response(status: .contentTooLarge, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: StripeError(status: 413, message: "Request body too large.").json.rendered())))
        }
        let incoming = IncomingRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query, headers: request.headers,
            body: String(buffer: body))
        switch await core.process(incoming) {
        case .respond(let answer):
            var headers: HTTPFields = [.contentType: "application/json"]
            for (name, value) in answer.headers {
                if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        case .drop:
            // Close the socket without a byte of answer; the client sees the connection end mid-request.
            // Hummingbird's attempt to write the response below then fails quietly on the closed channel.
            try? await context.channel.close()
            return Response(status: .internalServerError)
        }
    }
}
