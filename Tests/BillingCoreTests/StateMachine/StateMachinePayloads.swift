import BillingCore

/// The two payload shapes Stripe renders (SPEC.md §1 "API versions change payload shapes").
enum APIShape: String, CaseIterable, CustomStringConvertible {
    /// Up to 2025-02-24.acacia: subscription-level periods, `invoice.subscription`, `aggregate_usage`.
    case acacia
    /// From 2025-03-31.basil: item-level periods, `invoice.parent.subscription_details`.
    case basil

    var apiVersion: String { self == .acacia ? "2025-02-24.acacia" : "2025-03-31.basil" }
    var description: String { rawValue }
}

/// A price of the logical model the payload builder renders.
struct TestPrice: Equatable {
    var id: String
    var product: String
    var mode: ReportingMode
    /// `aggregate_usage` of a legacy price (rendered in the acacia shape only; basil dropped it).
    var aggregateUsage = "sum"
    var meter: String? = nil

    static func licensed(_ id: String, product: String = "prod_base") -> TestPrice {
        TestPrice(id: id, product: product, mode: .none)
    }

    static func legacy(_ id: String, product: String = "prod_api", aggregateUsage: String = "sum") -> TestPrice {
        TestPrice(id: id, product: product, mode: .legacy, aggregateUsage: aggregateUsage)
    }

    static func meter(_ id: String, product: String = "prod_api", meter: String = "mtr_api") -> TestPrice {
        TestPrice(id: id, product: product, mode: .meter, meter: meter)
    }

    func json(_ shape: APIShape) -> JSONValue {
        var recurring: JSONObject = [
            "interval": .string("month"),
            "interval_count": .int(1),
            "usage_type": .string(mode == .none ? "licensed" : "metered"),
            "meter": meter.map(JSONValue.string) ?? .null,
        ]
        if shape == .acacia, mode == .legacy { recurring["aggregate_usage"] = .string(aggregateUsage) }
        return .object([
            "id": .string(id), "object": .string("price"), "active": .bool(true), "product": .string(product),
            "recurring": .object(recurring), "type": .string("recurring"), "unit_amount": .int(1),
        ])
    }
}

/// An item of the logical model.
struct TestItem: Equatable {
    var id: String
    var price: TestPrice
    var period: BillingPeriod

    func json(_ shape: APIShape, subscriptionID: String) -> JSONValue {
        var object: JSONObject = [
            "id": .string(id), "object": .string("subscription_item"), "price": price.json(shape),
            "quantity": price.mode == .none ? .int(1) : .null, "subscription": .string(subscriptionID), "metadata": .object([:]),
        ]
        if shape == .basil {
            object["current_period_start"] = .int(period.start)
            object["current_period_end"] = .int(period.end)
        }
        return .object(object)
    }
}

/// A subscription of the logical model, rendered in either shape.
struct TestSubscription: Equatable {
    var id = "sub_test"
    var customer = "cus_test"
    var status = "active"
    var items: [TestItem]
    var cancelAtPeriodEnd = false
    var cancelAt: Int64? = nil
    var canceledAt: Int64? = nil
    var endedAt: Int64? = nil
    var schedule: String? = nil

    /// The subscription-level period (acacia): the first item's.
    var period: BillingPeriod { items.first?.period ?? BillingPeriod(start: 0, end: 0) }

    func itemsJSON(_ shape: APIShape) -> JSONValue {
        .object([
            "object": .string("list"), "data": .array(items.map { $0.json(shape, subscriptionID: id) }),
            "has_more": .bool(false), "total_count": .int(Int64(items.count)),
        ])
    }

    func json(_ shape: APIShape) -> JSONValue {
        var object: JSONObject = [
            "id": .string(id), "object": .string("subscription"), "customer": .string(customer), "status": .string(status),
            "items": itemsJSON(shape), "cancel_at_period_end": .bool(cancelAtPeriodEnd),
            "cancel_at": cancelAt.map(JSONValue.int) ?? .null, "canceled_at": canceledAt.map(JSONValue.int) ?? .null,
            "ended_at": endedAt.map(JSONValue.int) ?? .null, "schedule": schedule.map(JSONValue.string) ?? .null,
            "created": .int(period.start), "metadata": .object([:]), "pause_collection": .null,
        ]
        if shape == .acacia {
            object["current_period_start"] = .int(period.start)
            object["current_period_end"] = .int(period.end)
        }
        return .object(object)
    }

    /// `previous_attributes` of an update from `old` to `self`, as Stripe renders them.
    func previousAttributes(from old: TestSubscription, _ shape: APIShape) -> JSONValue {
        var changed: JSONObject = [:]
        // Items are sent whole whenever one changed (from basil on, periods live on them).
        let itemsChanged = shape == .basil ? old.items != items : old.items.map { [$0.id, $0.price.id] } != items.map { [$0.id, $0.price.id] }
        if itemsChanged { changed["items"] = old.itemsJSON(shape) }
        if shape == .acacia, old.period != period {
            changed["current_period_start"] = .int(old.period.start)
            changed["current_period_end"] = .int(old.period.end)
        }
        if old.status != status { changed["status"] = .string(old.status) }
        if old.cancelAtPeriodEnd != cancelAtPeriodEnd { changed["cancel_at_period_end"] = .bool(old.cancelAtPeriodEnd) }
        if old.cancelAt != cancelAt { changed["cancel_at"] = old.cancelAt.map(JSONValue.int) ?? .null }
        return .object(changed)
    }
}
