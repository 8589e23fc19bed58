import AsyncHTTPClient
import Foundation
import MeterBridgeTesting
import NIOCore
import NIOHTTP1
import Synchronization

/// Talking to a real `meterbridge serve` child process over loopback.
enum RealServer {
    /// Writes a configuration file with the one `api_requests` metric (product `prod_api`, its meter, `sum`) into
    /// `directory`; returns its path, for `MB_CONFIG`.
    static func writeCatalogue(in directory: TemporaryDirectory) throws -> String {
        let config = directory.path + "/meterbridge.yaml"
        try "metrics:\n  api_requests:\n    product: prod_api\n    meter_event_name: api_requests\n    aggregation: sum\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// The environment for a server on `port` storing to `databasePath`.
    static func environment(port: Int, databasePath: String, secret: String) -> [String: String] {
        [
            "MB_DATABASE_URL": "sqlite:\(databasePath)",
            "MB_LISTEN": "127.0.0.1:\(port)",
            "MB_WEBHOOK_SECRETS": secret,
            "MB_LOG_LEVEL": "notice",
        ]
    }

    /// POSTs a signed event; returns the status code and body.
    static func deliver(
        _ payload: [UInt8], secret: String, to base: String, client: HTTPClient = .shared
    ) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: base + "/webhooks/stripe")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Stripe-Signature", value: TestEvent.signature(payload, secrets: [secret], timestamp: Int64(Date().timeIntervalSince1970)))
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 16)
        return (response.status.code, String(buffer: body))
    }
}

/// Ids collected from concurrent senders.
final class IDCollector: Sendable {
    private let ids = Mutex<[String]>([])

    func add(_ id: String) {
        ids.withLock { $0.append(id) }
    }

    var all: [String] { ids.withLock { $0 } }
}
