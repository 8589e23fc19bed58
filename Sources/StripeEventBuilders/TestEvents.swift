import BillingCore
import Foundation

/// Builds realistic Stripe event documents in either API shape, for tests, the demo and load scripts.
public enum TestEvents {
    public static func envelope(id: String, type: String, created: Int64, shape: APIShape, object: JSONValue, previous: JSONValue? = nil) -> JSONValue {
        var data: JSONObject = ["object": object]
        if let previous { data["previous_attributes"] = previous }
        return .object([
            "id": .string(id), "object": .string("event"), "api_version": .string(shape.apiVersion), "created": .int(created),
            "livemode": .bool(false), "type": .string(type), "data": .object(data), "pending_webhooks": .int(1),
            "request": .object(["id": .null, "idempotency_key": .null]),
        ])
    }

    public static func subscription(
        _ type: String, id: String, created: Int64, _ subscription: TestSubscription, previous: TestSubscription? = nil, shape: APIShape
    ) -> JSONValue {
        envelope(
            id: id, type: type, created: created, shape: shape, object: subscription.json(shape),
            previous: previous.map { subscription.previousAttributes(from: $0, shape) }
        )
    }

    /// An invoice object; `id` nil renders an upcoming invoice.
    public static func invoiceObject(
        id: String?, subscription: TestSubscription, period: BillingPeriod, status: String, billingReason: String = "subscription_cycle",
        finalizedAt: Int64? = nil, automaticallyFinalizesAt: Int64? = nil, shape: APIShape
    ) -> JSONValue {
        let lines: [JSONValue] = subscription.items.filter { $0.price.mode != .none }.enumerated().map { index, item in
            var line: JSONObject = [
                "id": .string("il_\(id ?? "upcoming")_\(index)"), "object": .string("line_item"),
                "period": .object(["start": .int(period.start), "end": .int(period.end)]), "quantity": .int(42),
            ]
            if shape == .acacia {
                line["subscription_item"] = .string(item.id)
                line["subscription"] = .string(subscription.id)
                line["price"] = item.price.json(shape)
                line["proration"] = .bool(false)
            } else {
                line["parent"] = .object([
                    "type": .string("subscription_item_details"),
                    "subscription_item_details": .object([
                        "subscription_item": .string(item.id), "subscription": .string(subscription.id), "proration": .bool(false),
                    ]),
                ])
                line["pricing"] = .object(["price_details": .object(["price": .string(item.price.id), "product": .string(item.price.product)])])
            }
            return .object(line)
        }
        var object: JSONObject = [
            "object": .string("invoice"), "status": .string(status), "billing_reason": .string(billingReason),
            "customer": .string(subscription.customer), "period_start": .int(period.start), "period_end": .int(period.end),
            "lines": .object(["object": .string("list"), "data": .array(lines), "has_more": .bool(false)]),
            "status_transitions": .object(["finalized_at": finalizedAt.map(JSONValue.int) ?? .null]),
        ]
        if let id { object["id"] = .string(id) }
        if let automaticallyFinalizesAt { object["automatically_finalizes_at"] = .int(automaticallyFinalizesAt) }
        if shape == .acacia {
            object["subscription"] = .string(subscription.id)
        } else {
            object["parent"] = .object([
                "type": .string("subscription_details"),
                "subscription_details": .object(["subscription": .string(subscription.id), "metadata": .object([:])]),
            ])
        }
        return .object(object)
    }

    public static func invoice(
        _ type: String, id: String, created: Int64, invoiceID: String?, subscription: TestSubscription, period: BillingPeriod,
        status: String, billingReason: String = "subscription_cycle", finalizedAt: Int64? = nil, automaticallyFinalizesAt: Int64? = nil,
        shape: APIShape
    ) -> JSONValue {
        let object = invoiceObject(
            id: invoiceID, subscription: subscription, period: period, status: status, billingReason: billingReason,
            finalizedAt: finalizedAt, automaticallyFinalizesAt: automaticallyFinalizesAt, shape: shape
        )
        return envelope(id: id, type: type, created: created, shape: shape, object: object)
    }

    /// A phase of a schedule: from `start` to `end`, these prices (expanded or as ids).
    public struct Phase: Sendable {
        public var start: Int64
        public var end: Int64?
        public var prices: [TestPrice]

        public init(start: Int64, end: Int64?, prices: [TestPrice]) {
            self.start = start
            self.end = end
            self.prices = prices
        }
    }

    public static func schedule(
        _ type: String, id: String, created: Int64, scheduleID: String, subscriptionID: String, status: String, phases: [Phase],
        expandPrices: Bool, customer: String = "cus_test", shape: APIShape
    ) -> JSONValue {
        let current = phases.first { $0.start <= created && ($0.end.map { created < $0 } ?? true) }
        let finished = ["released", "canceled", "completed"].contains(status)
        let object: JSONValue = .object([
            "id": .string(scheduleID), "object": .string("subscription_schedule"), "customer": .string(customer),
            "status": .string(status), "end_behavior": .string("release"),
            "subscription": status == "released" ? .null : .string(subscriptionID),
            "released_subscription": status == "released" ? .string(subscriptionID) : .null,
            "current_phase": finished || current == nil
                ? .null : .object(["start_date": .int(current!.start), "end_date": current!.end.map(JSONValue.int) ?? .null]),
            "phases": .array(
                phases.map { phase in
                    .object([
                        "start_date": .int(phase.start), "end_date": phase.end.map(JSONValue.int) ?? .null,
                        "items": .array(
                            phase.prices.map { price in
                                .object(["price": expandPrices ? price.json(shape) : .string(price.id), "quantity": .int(1)])
                            }),
                    ])
                }),
        ])
        return envelope(id: id, type: type, created: created, shape: shape, object: object)
    }

    public static func meterErrorReport(id: String, created: Int64, meter: String) -> JSONValue {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(created)))
        return .object([
            "id": .string(id), "object": .string("v2.core.event"), "type": .string(EventType.meterErrorReportTriggered),
            "created": .string(text), "livemode": .bool(false), "context": .null,
            "related_object": .object(["id": .string(meter), "type": .string("billing.meter"), "url": .string("/v1/billing/meters/\(meter)")]),
        ])
    }
}
