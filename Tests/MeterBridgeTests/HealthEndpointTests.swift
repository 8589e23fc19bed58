import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import NIOCore
import TestPrimitives
import Testing

/// `/healthz`, `/readyz` and `/metrics` as a monitor sees them.
struct HealthEndpointTests {
    struct Readiness: Decodable {
        struct Check: Decodable {
            let status: String
            let ageSeconds: Int64?
            let count: Int?

            enum CodingKeys: String, CodingKey {
                case status, count
                case ageSeconds = "age_seconds"
            }
        }

        let status: String
        let checks: [String: Check]
    }

    @Test func livenessAndReadinessReportTheStoreAndTheBacklog() async throws {
        try await WebhookHarness.run { harness, client in
            let live = try await client.execute(uri: "/healthz", method: .get)
            #expect(live.status == .ok)
            #expect(String(buffer: live.body) == #"{"status":"ok"}"#)

            var ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            var report = try JSONDecoder().decode(Readiness.self, from: Data(ready.body.readableBytesView))
            #expect(report.status == "ready")
            #expect(report.checks["store"]?.status == "ok")
            #expect(report.checks["processing"]?.count == 0)

            _ = try await harness.deliverSigned(TestEvent.json(id: "evt_waiting"), to: client)
            try await harness.database.markFailed(id: "evt_waiting", error: "boom", nextAttemptAt: .epoch, maxAttempts: 1)
            _ = try await harness.deliverSigned(TestEvent.json(id: "evt_pending"), to: client)
            harness.clock.advance(seconds: 600)
            ready = try await client.execute(uri: "/readyz", method: .get)
            report = try JSONDecoder().decode(Readiness.self, from: Data(ready.body.readableBytesView))
            // A backlog and a dead letter are warnings: the instance can still take webhooks.
            #expect(ready.status == .ok)
            #expect(report.checks["processing"]?.status == "warn")
            #expect(report.checks["processing"]?.ageSeconds == 600)
            #expect(report.checks["processing"]?.count == 1)
            #expect(report.checks["dead_letters"]?.status == "warn")
            #expect(report.checks["dead_letters"]?.count == 1)
        }
    }

    @Test func metricsCountWebhooksByOutcomeAndReason() async throws {
        try await WebhookHarness.run { harness, client in
            let payload = TestEvent.json(id: "evt_counted")
            _ = try await harness.deliverSigned(payload, to: client)
            _ = try await harness.deliverSigned(payload, to: client)
            _ = try await WebhookHarness.deliver(payload, signature: nil, to: client)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"meterbridge_webhooks_total{outcome="stored",reason=""} 1"#))
            #expect(text.contains(#"meterbridge_webhooks_total{outcome="duplicate",reason=""} 1"#))
            #expect(text.contains(#"meterbridge_webhooks_total{outcome="rejected",reason="missing_header"} 1"#))
            #expect(text.contains("meterbridge_webhook_duration_seconds_count 3"))
        }
    }
}
