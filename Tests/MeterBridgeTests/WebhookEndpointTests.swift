import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import NIOCore
import Testing

/// `POST /webhooks/stripe`, row by row of docs/http-api.md, on a real SQLite file.
struct WebhookEndpointTests {
    @Test func aSignedEventIsStoredThenAcknowledgedAndADuplicateSaysSo() async throws {
        try await WebhookHarness.run { harness, client in
            let payload = TestEvent.json(id: "evt_first", type: "invoice.created")
            let first = try await harness.deliverSigned(payload, to: client)
            #expect(first.status == .ok)
            #expect(String(buffer: first.body) == #"{"received":true,"duplicate":false}"#)
            let stored = try #require(try await harness.database.event(id: "evt_first"))
            #expect(stored.event.payload == payload, "the raw bytes are stored exactly as received")
            #expect(stored.status == .pending)
            #expect(stored.event.type == "invoice.created")
            #expect(stored.event.signature.hasPrefix("t=\(WebhookHarness.now),v1="))

            let again = try await harness.deliverSigned(payload, to: client)
            #expect(again.status == .ok)
            #expect(String(buffer: again.body) == #"{"received":true,"duplicate":true}"#)
            #expect(try await harness.database.counts()[.pending] == 1)
        }
    }

    @Test func aDuplicateOfAFailedEventReDrivesIt() async throws {
        try await WebhookHarness.run { harness, client in
            let payload = TestEvent.json(id: "evt_failing")
            _ = try await harness.deliverSigned(payload, to: client)
            try await harness.database.markFailed(id: "evt_failing", error: "boom", nextAttemptAt: .distantFuture, maxAttempts: 1)
            #expect(try await harness.database.event(id: "evt_failing")?.status == .dead)
            let redelivered = try await harness.deliverSigned(payload, to: client)
            #expect(String(buffer: redelivered.body) == #"{"received":true,"duplicate":true}"#)
            #expect(try await harness.database.event(id: "evt_failing")?.status == .pending)
        }
    }

    @Test(arguments: [
        (nil, "missing_header"),
        ("", "missing_header"),
        ("garbage", "malformed_header"),
        ("t=abc,v1=00", "malformed_header"),
        ("t=1763700000", "no_v1_signature"),
        ("t=1763700000,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39", "no_v1_signature"),
        ("t=1763700000,v1=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39", "no_matching_signature"),
    ] as [(String?, String)])
    func badSignatureHeadersAreRefusedWithTheirCode(header: String?, code: String) async throws {
        try await WebhookHarness.run { harness, client in
            let response = try await WebhookHarness.deliver(TestEvent.json(id: "evt_bad"), signature: header, to: client)
            #expect(response.status == .badRequest)
            let body = try ErrorBody(response)
            #expect(body.error.type == "signature_verification_failed")
            #expect(body.error.code == code)
            #expect(try await harness.database.event(id: "evt_bad") == nil)
        }
    }

    @Test func wrongSecretStaleAndFutureDeliveriesAreRefused() async throws {
        try await WebhookHarness.run { harness, client in
            let payload = TestEvent.json(id: "evt_timing")
            let cases: [(String, String)] = [
                (TestEvent.signature(payload, secrets: ["whsec_someone_else"], timestamp: WebhookHarness.now), "no_matching_signature"),
                (TestEvent.signature(payload, secrets: [WebhookHarness.secret], timestamp: WebhookHarness.now - 301), "timestamp_outside_tolerance"),
                (TestEvent.signature(payload, secrets: [WebhookHarness.secret], timestamp: WebhookHarness.now + 301), "timestamp_outside_tolerance"),
            ]
            for (header, code) in cases {
                let response = try await WebhookHarness.deliver(payload, signature: header, to: client)
                #expect(response.status == .badRequest)
                #expect(try ErrorBody(response).error.code == code)
            }
            #expect(try await harness.database.event(id: "evt_timing") == nil)
            let edge = TestEvent.signature(payload, secrets: [WebhookHarness.secret], timestamp: WebhookHarness.now - 300)
            #expect(try await WebhookHarness.deliver(payload, signature: edge, to: client).status == .ok)
        }
    }

    @Test func secretRotationAcceptsBothSecretsUntilTheOldOneIsRemoved() async throws {
        let previous = "whsec_old_secret_aaaaaaaa"
        let current = "whsec_new_secret_bbbbbbbb"
        try await WebhookHarness.run(configure: { $0.webhook.secrets = [previous, current] }) { harness, client in
            for (id, signers) in [("evt_old", [previous]), ("evt_new", [current]), ("evt_both", [previous, current])] {
                let response = try await harness.deliverSigned(TestEvent.json(id: id), to: client, secrets: signers)
                #expect(response.status == .ok, "\(id)")
            }
            #expect(try await harness.database.counts()[.pending] == 3)
        }
        try await WebhookHarness.run(configure: { $0.webhook.secrets = [current] }) { _, client in
            let response = try await WebhookHarness.deliver(TestEvent.json(id: "evt_old"), signature: TestEvent.signature(TestEvent.json(id: "evt_old"), secrets: [previous], timestamp: WebhookHarness.now), to: client)
            #expect(try ErrorBody(response).error.code == "no_matching_signature")
        }
    }

    @Test func aReSerialisedBodyFailsEvenThoughItIsTheSameJSON() async throws {
        try await WebhookHarness.run { harness, client in
            let original = TestEvent.json(id: "evt_reserialised", object: #"{"id":"in_1","object":"invoice","description":"1 × Basic"}"#)
            let signature = TestEvent.signature(original, secrets: [WebhookHarness.secret], timestamp: WebhookHarness.now)
            let reserialised = try [UInt8](JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(original))))
            #expect(reserialised != original)
            let response = try await WebhookHarness.deliver(reserialised, signature: signature, to: client)
            #expect(try ErrorBody(response).error.code == "no_matching_signature")
            #expect(try await WebhookHarness.deliver(original, signature: signature, to: client).status == .ok)
        }
    }

    @Test(arguments: [
        ("not json at all", "invalid_payload"),
        (#"{"id":"evt_truncated","type":"invoice.created""#, "invalid_payload"),
        (#"{"object":"event","type":"invoice.created","created":1}"#, "invalid_payload"),
        (#"{"id":"evt_no_type","object":"event","created":1}"#, "invalid_payload"),
        (#"["an array"]"#, "invalid_payload"),
    ])
    func signedBodiesThatAreNotStripeEventsAreRefused(body: String, code: String) async throws {
        try await WebhookHarness.run { harness, client in
            let response = try await harness.deliverSigned(Array(body.utf8), to: client)
            #expect(response.status == .badRequest)
            let error = try ErrorBody(response).error
            #expect(error.type == "invalid_request_error")
            #expect(error.code == code)
            #expect(try await harness.database.counts().values.reduce(0, +) == 0)
        }
    }

    @Test func invalidUTF8IsRefusedAsInvalidPayload() async throws {
        try await WebhookHarness.run { _, client in
            var payload = TestEvent.json(id: "evt_utf8", object: #"{"id":"in_1","object":"invoice","description":"XX"}"#)
            let marker = payload.lastIndex(of: UInt8(ascii: "X"))!
            payload[marker] = 0xFF
            let response = try await WebhookHarness.deliver(payload, signature: TestEvent.signature(payload, secrets: [WebhookHarness.secret], timestamp: WebhookHarness.now), to: client)
            #expect(try ErrorBody(response).error.code == "invalid_payload")
        }
    }

    @Test func aBodyAtTheLimitIsStoredAndOneByteOverIsRefusedWith413() async throws {
        let limit = 4096
        try await WebhookHarness.run(configure: { $0.webhook.bodyLimit = limit }) { harness, client in
            let atLimit = TestEvent.padded(TestEvent.json(id: "evt_at_limit"), to: limit)
            #expect(try await harness.deliverSigned(atLimit, to: client).status == .ok)
            let over = TestEvent.padded(TestEvent.json(id: "evt_over_limit"), to: limit + 1)
            let response = try await harness.deliverSigned(over, to: client)
            #expect(response.status == .contentTooLarge)
            #expect(try ErrorBody(response).error.code == "body_too_large")
            #expect(try await harness.database.event(id: "evt_over_limit") == nil)
            #expect(try await harness.database.event(id: "evt_at_limit") != nil)
        }
    }

    @Test func livemodeFilterRefusesTheOtherModeAndNamesIt() async throws {
        try await WebhookHarness.run(configure: { $0.webhook.livemode = .live }) { harness, client in
            let test = try await harness.deliverSigned(TestEvent.json(id: "evt_testmode", livemode: false), to: client)
            #expect(test.status == .badRequest)
            #expect(try ErrorBody(test).error.code == "livemode_mismatch")
            #expect(try await harness.deliverSigned(TestEvent.json(id: "evt_livemode", livemode: true), to: client).status == .ok)
            #expect(try await harness.database.event(id: "evt_testmode") == nil)
        }
    }

    @Test(.enabled(if: StorageFaults.isSupported, "needs /proc/self/fd"))
    func aStoreThatCannotCommitAnswers503AndAcknowledgesNothing() async throws {
        try await WebhookHarness.run { harness, client in
            #expect(try await harness.deliverSigned(TestEvent.json(id: "evt_before"), to: client).status == .ok)
            let path = harness.database.path
            #expect(try StorageFaults.makeReadOnly(paths: [path, path + "-wal"]) >= 2)
            let response = try await harness.deliverSigned(TestEvent.json(id: "evt_during"), to: client)
            #expect(response.status == .serviceUnavailable)
            let error = try ErrorBody(response).error
            #expect(error.code == "store_unavailable")
            #expect(!error.message.contains(WebhookHarness.secret))
            #expect(try await harness.database.event(id: "evt_during") == nil)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
        }
    }
}
