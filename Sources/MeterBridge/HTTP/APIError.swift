import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answer in the shape docs/http-api.md ("Errors") describes: `{"error":{"type":"…","code":"…","message":"…"}}`.
public struct APIError: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let type: String
    public let code: String
    public let message: String

    public init(status: HTTPResponse.Status, type: String, code: String, message: String) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
    }

    /// The JSON response; messages never contain secrets, so they can be shown as they are.
    public var response: Response {
        let body = #"{"error":{"type":"\#(JSONText.escape(type))","code":"\#(JSONText.escape(code))","message":"\#(JSONText.escape(message))"}}"#
        return JSONText.response(status: status, body: body)
    }

    static func invalidRequest(_ code: String, _ message: String, status: HTTPResponse.Status = .badRequest) -> APIError {
        APIError(status: status, type: "invalid_request_error", code: code, message: message)
    }
}

/// Small hand-written JSON for fixed-shape answers on hot paths, where an encoder would cost more than the work.
enum JSONText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case let control where control.value < 0x20:
                escaped += "\\u00" + String(control.value, radix: 16).leftPadded(to: 2)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    static func response(status: HTTPResponse.Status, body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A Codable answer as snake_case JSON with sorted keys (the admin API and `/readyz`; not the webhook hot path).
    static func encode(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"type":"api_error","code":"encoding_failed","message":"could not encode"}}"#.utf8)
        return JSONText.response(status: status, buffer: ByteBuffer(bytes: data))
    }

    static func response(status: HTTPResponse.Status, buffer: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
