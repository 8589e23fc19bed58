import BillingCore
import BillingStore
import Foundation
import MeterBridge
import MeterBridgeTesting
import StripeEventBuilders
import Testing

/// Helpers of the replay, rebuild and reconcile tests.
enum ReplaySupport {
    /// A replayer with the harness's machine settings and clock.
    static func replayer(_ harness: WebhookHarness, maxAttempts: Int = 8) -> Replayer {
        Replayer(machine: MeterBridgeRuntime.machineConfiguration(harness.configuration), clock: harness.clock, maxAttempts: maxAttempts, logger: quietLogger)
    }

    /// Options importing `bytes` as an export file.
    static func importing(_ bytes: [UInt8], now: UnixTime = UnixTime(seconds: WebhookHarness.now)) throws -> ReplayOptions {
        var options = ReplayOptions()
        options.file = try EventFile.parse(bytes, receivedAt: now)
        return options
    }

    /// A SHA-256-based checksum of the file (HMAC with an empty key), as hex; "absent" when there is no file.
    static func checksum(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "absent" }
        return HMACSHA256Key(key: [UInt8]()).authenticationCode(for: [UInt8](data)).map { String(format: "%02x", $0) }.joined()
    }

    /// The stored subscriptions as the admin API shows them, without the time of the last write.
    static func views(_ database: SQLiteDatabase) async throws -> [SubscriptionView] {
        try await database.subscriptions().map { record in
            var view = try SubscriptionView(record: record)
            view.updatedAt = 0
            return view
        }
    }

    /// A subscription update of `story` whose item has no price: valid JSON and a valid envelope, not a valid
    /// subscription, so the processor fails it. `id` is the id of the story's creation event.
    static func brokenCreation(_ story: BillingStory) -> [UInt8] {
        TestEvent.json(
            id: "evt_\(story.subscriptionID)_created", type: "customer.subscription.created", created: story.start,
            object: #"{"id":"\#(story.subscriptionID)","object":"subscription","customer":"cus_story","status":"active","items":{"object":"list","data":[{"id":"si_1","object":"subscription_item"}]}}"#
        )
    }

    /// An event that names no subscription (stored and ignored), on one line.
    static var customerEvent: [UInt8] {
        let json = try! JSONParser.parse(TestEvent.json(id: "evt_customer_created", type: "customer.created", object: #"{"id":"cus_story","object":"customer","name":"Zoë Müller"}"#))
        return json.serializedBytes
    }

    /// `payload` re-serialised, as an element of an imported array or list is stored.
    static func reserialized(_ payload: [UInt8]) -> [UInt8] {
        (try! JSONParser.parse(payload)).serializedBytes
    }

    /// A Stripe list object (`GET /v1/events`) of `events`, pretty-printed over several lines as the Stripe CLI prints it.
    static func listObject(_ events: [[UInt8]]) -> [UInt8] {
        let data = events.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",\n    ")
        return Array("{\n  \"object\": \"list\",\n  \"data\": [\n    \(data)\n  ],\n  \"has_more\": false,\n  \"url\": \"/v1/events\"\n}\n".utf8)
    }

    /// A JSON array of `events`, one per line.
    static func array(_ events: [[UInt8]]) -> [UInt8] {
        Array(("[\n" + events.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",\n") + "\n]\n").utf8)
    }

    /// JSON lines.
    static func jsonLines(_ events: [[UInt8]]) -> [UInt8] {
        Array((events.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n") + "\n").utf8)
    }
}
