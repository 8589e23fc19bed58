import BillingCore

/// The two payload shapes Stripe renders (docs/billing-rules.md, "API versions: acacia and basil").
public enum APIShape: String, CaseIterable, CustomStringConvertible, Sendable {
    /// Up to 2025-02-24.acacia: subscription-level periods, `invoice.subscription`, `aggregate_usage`.
    case acacia
    /// From 2025-03-31.basil: item-level periods, `invoice.parent.subscription_details`.
    case basil

    public var apiVersion: String { self == .acacia ? "2025-02-24.acacia" : "2025-03-31.basil" }
    public var description: String { rawValue }
}

/// A price of the logical model the payload builder renders.
public struct TestPrice: Equatable, Sendable {
    public var id: String
    public var product: String
    public var mode: ReportingMode
    /// `aggregate_usage` of a legacy price (rendered in the acacia shape only; basil dropped it).
    public var aggregateUsage = "sum"
    public var meter: String? = nil

    public init(id: String, product: String, mode: ReportingMode, aggregateUsage: String = "sum", meter: String? = nil) {
        self.id = id
        self.product = product
        self.mode = mode
        self.aggregateUsage = aggregateUsage
        self.meter = meter
    }

    public static func licensed(_ id: String, product: String = "prod_base") -> TestPrice {
        TestPrice(id: id, product: product, mode: .none)
    }

    public static func legacy(_ id: String, product: String = "prod_api", aggregateUsage: String = "sum") -> TestPrice {
        TestPrice(id: id, product: product, mode: .legacy, aggregateUsage: aggregateUsage)
    }

    public static func meter(_ id: String, product: String = "prod_api", meter: String = "mtr_api") -> TestPrice {
        TestPrice(id: id, product: product, mode: .meter, meter: meter)
    }

    public func json(_ shape: APIShape) -> JSONValue {
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
public struct TestItem: Equatable, Sendable {
    public var id: String
    public var price: TestPrice
    public var period: BillingPeriod

    public init(id: String, price: TestPrice, period: BillingPeriod) {
        self.id = id
        self.price = price
        self.period = period
    }

    public func json(_ shape: APIShape, subscriptionID: String) -> JSONValue {
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
public struct TestSubscription: Equatable, Sendable {
    public var id = "sub_test"
    public var customer = "cus_test"
    public var status = "active"
    public var items: [TestItem]
    public var cancelAtPeriodEnd = false
    public var cancelAt: Int64? = nil
    public var canceledAt: Int64? = nil
    public var endedAt: Int64? = nil
    public var schedule: String? = nil
    /// `billing_mode.type` (`classic` or `flexible`); nil renders no `billing_mode`, as versions before it do.
    public var billingMode: String? = nil

    public init(
        id: String = "sub_test", customer: String = "cus_test", status: String = "active", items: [TestItem], cancelAtPeriodEnd: Bool = false,
        cancelAt: Int64? = nil, canceledAt: Int64? = nil, endedAt: Int64? = nil, schedule: String? = nil, billingMode: String? = nil
    ) {
        self.id = id
        self.customer = customer
        self.status = status
        self.items = items
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.cancelAt = cancelAt
        self.canceledAt = canceledAt
        self.endedAt = endedAt
        self.schedule = schedule
        self.billingMode = billingMode
    }

    /// The subscription-level period (acacia): the first item's.
    public var period: BillingPeriod { items.first?.period ?? BillingPeriod(start: 0, end: 0) }

    public func itemsJSON(_ shape: APIShape) -> JSONValue {
        .object([
            "object": .string("list"), "data": .array(items.map { $0.json(shape, subscriptionID: id) }),
            "has_more": .bool(false), "total_count": .int(Int64(items.count)),
        ])
    }

    public func json(_ shape: APIShape) -> JSONValue {
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
        if let billingMode { object["billing_mode"] = .object(["type": .string(billingMode), "updated_at": .int(period.start)]) }
        return .object(object)
    }

    /// `previous_attributes` of an update from `old` to `self`, as Stripe renders them.
    public func previousAttributes(from old: TestSubscription, _ shape: APIShape) -> JSONValue {
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
