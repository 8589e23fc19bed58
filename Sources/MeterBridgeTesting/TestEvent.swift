import BillingCore
import Foundation

/// Builds Stripe event payloads and signed deliveries for tests, the demo and load scripts.
public enum TestEvent {
    /// A minimal but well-formed Stripe event with `object` as its `data.object` (JSON text).
    public static func json(
        id: String,
        type: String = "customer.subscription.updated",
        created: Int64 = 1_763_700_000,
        livemode: Bool = false,
        apiVersion: String = "2025-03-31.basil",
        object: String = #"{"id":"sub_test","object":"subscription","customer":"cus_test","status":"active","items":{"object":"list","data":[]}}"#
    ) -> [UInt8] {
        Array(
            """
            {
              "id": "\(id)",
              "object": "event",
              "api_version": "\(apiVersion)",
              "created": \(created),
              "livemode": \(livemode),
              "pending_webhooks": 1,
              "request": {"id": null, "idempotency_key": null},
              "type": "\(type)",
              "data": {"object": \(object)}
            }
            """.utf8
        )
    }

    /// The `Stripe-Signature` header Stripe would send for `payload` at `timestamp`, signed with each of `secrets`.
    public static func signature(_ payload: [UInt8], secrets: [String], timestamp: Int64) -> String {
        WebhookSigner(secrets: secrets).header(for: payload, timestamp: timestamp)
    }

    /// `payload` grown with trailing spaces (still valid JSON, still the same event) to exactly `size` bytes.
    public static func padded(_ payload: [UInt8], to size: Int) -> [UInt8] {
        precondition(size >= payload.count, "cannot pad \(payload.count) bytes down to \(size)")
        return payload + Array(repeating: UInt8(ascii: " "), count: size - payload.count)
    }
}
