import BillingCore
import StripeEventBuilders
import TestPrimitives

/// Realistic stored events in bulk, for `scripts/replay-benchmark` (`meterbridge generate-events`): many subscriptions,
/// each with its whole history since it started — creation, monthly renewals with their draft, finalized and paid
/// invoices, upcoming-invoice notices, schedule migrations from a legacy price to a meter price, cancellations — in
/// both API shapes, plus the customer, charge and payment events of the same account that name no subscription.
/// Objects carry the fields Stripe renders beside the ones meterbridge reads (2–4 KB an event). Deterministic per seed.
public struct ReplayBenchmarkEvents: Sendable {
    /// One generated event: its routing fields and its bytes.
    public struct Event: Sendable {
        public var envelope: StripeEventEnvelope
        public var payload: [UInt8]
    }

    public var seed: UInt64
    /// The history ends here (unix seconds); subscriptions started up to a year before.
    public var now: Int64

    public init(seed: UInt64 = 1, now: Int64) {
        self.seed = seed
        self.now = now
    }

    static let month: Int64 = 30 * 86_400
    static let legacy = TestPrice.legacy("price_api_legacy", product: "prod_api")
    static let meter = TestPrice.meter("price_api_meter", product: "prod_api", meter: "mtr_api")
    static let seat = TestPrice.licensed("price_seat", product: "prod_seat")

    /// Generates at least `count` events (whole subscriptions), handing them to `body` a subscription at a time.
    public func generate(count: Int, _ body: ([Event]) throws -> Void) rethrows {
        var random = SeededRandom(seed: seed)
        var produced = 0
        var index = 0
        while produced < count {
            let events = subscriptionHistory(index, random: &random)
            produced += events.count
            index += 1
            try body(events)
        }
    }

    /// One subscription's history, in creation order.
    func subscriptionHistory(_ index: Int, random: inout SeededRandom) -> [Event] {
        let shape: APIShape = index % 2 == 0 ? .basil : .acacia
        let id = "sub_1Q\(Self.token(&random, 22))"
        let customer = "cus_\(Self.token(&random, 14))"
        let start = now - 365 * 86_400 + Int64(random.next() % UInt64(335 * 86_400))
        let migrationMonth: Int64? = random.next() % 10 < 3 ? Int64(1 + random.next() % 6) : nil
        let cancelMonth: Int64? = random.next() % 10 == 0 ? Int64(2 + random.next() % 9) : nil
        let withSeat = random.next() % 2 == 0
        var events: [Event] = []
        func add(_ document: JSONValue) {
            let payload = Array(Self.pretty(Self.realistic(document, customer: customer, random: &random)).utf8)
            // Builders' documents are valid events by construction.
            let envelope = try! StripeEventEnvelope(parsing: payload)
            events.append(Event(envelope: envelope, payload: payload))
        }
        func subscription(_ period: BillingPeriod, price: TestPrice, cancel: Bool = false) -> TestSubscription {
            var items = [TestItem(id: "si_\(id.dropFirst(4))_api", price: price, period: period)]
            if withSeat { items.append(TestItem(id: "si_\(id.dropFirst(4))_seat", price: Self.seat, period: period)) }
            let schedule = migrationMonth.map { _ in "sub_sched_\(id.dropFirst(4))" }
            return TestSubscription(id: id, customer: customer, items: items, cancelAtPeriodEnd: cancel, schedule: schedule)
        }
        var period = BillingPeriod(start: start, end: start + Self.month)
        var price = Self.legacy
        var current = subscription(period, price: price)
        add(TestEvents.subscription("customer.subscription.created", id: Self.eventID(&random), created: start, current, shape: shape))
        add(Self.noise("customer.updated", customer: customer, created: start + 5, random: &random, shape: shape))
        if let migrationMonth {
            let phaseStart = start + migrationMonth * Self.month
            add(TestEvents.schedule(
                "subscription_schedule.created", id: Self.eventID(&random), created: start + 3600, scheduleID: "sub_sched_\(id.dropFirst(4))",
                subscriptionID: id, status: "active",
                phases: [.init(start: start, end: phaseStart, prices: [Self.legacy]), .init(start: phaseStart, end: nil, prices: [Self.meter])],
                expandPrices: true, shape: shape
            ))
        }
        var month: Int64 = 1
        while period.end <= now {
            let boundary = period.end
            if random.next() % 2 == 0 {
                add(TestEvents.invoice(
                    "invoice.upcoming", id: Self.eventID(&random), created: boundary - 3 * 86_400, invoiceID: nil, subscription: current,
                    period: period, status: "draft", shape: shape
                ))
            }
            if cancelMonth == month {
                let cancelling = subscription(period, price: price, cancel: true)
                add(TestEvents.subscription(
                    "customer.subscription.updated", id: Self.eventID(&random), created: boundary - 10 * 86_400, cancelling, previous: current,
                    shape: shape
                ))
                var ended = cancelling
                ended.status = "canceled"
                ended.canceledAt = boundary
                ended.endedAt = boundary
                add(TestEvents.subscription("customer.subscription.deleted", id: Self.eventID(&random), created: boundary, ended, shape: shape))
                add(invoice(
                    "invoice.created", status: "draft", at: boundary + 60, subscription: cancelling, period: period, shape: shape, random: &random
                ))
                break
            }
            let next = BillingPeriod(start: boundary, end: boundary + Self.month)
            if migrationMonth == month { price = Self.meter }
            let renewed = subscription(next, price: price)
            add(TestEvents.subscription(
                "customer.subscription.updated", id: Self.eventID(&random), created: boundary, renewed, previous: current, shape: shape
            ))
            let invoiceID = "in_\(Self.token(&random, 24))"
            for (type, status, delay) in [("invoice.created", "draft", Int64(60)), ("invoice.finalized", "open", Int64(3660))] {
                add(invoice(
                    type, id: invoiceID, status: status, at: boundary + delay, subscription: current, period: period, shape: shape, random: &random
                ))
            }
            let failed = random.next() % 20 == 0
            add(invoice(failed ? "invoice.payment_failed" : "invoice.paid", id: invoiceID, status: failed ? "open" : "paid", at: boundary + 3700,
                        subscription: current, period: period, shape: shape, random: &random))
            add(Self.noise("charge.succeeded", customer: customer, created: boundary + 3700, random: &random, shape: shape))
            add(Self.noise("payment_intent.succeeded", customer: customer, created: boundary + 3701, random: &random, shape: shape))
            period = next
            current = renewed
            month += 1
        }
        return events
    }

    private func invoice(
        _ type: String, id: String? = nil, status: String, at created: Int64, subscription: TestSubscription, period: BillingPeriod,
        shape: APIShape, random: inout SeededRandom
    ) -> JSONValue {
        TestEvents.invoice(
            type, id: Self.eventID(&random), created: created, invoiceID: id ?? "in_\(Self.token(&random, 24))", subscription: subscription,
            period: period, status: status, finalizedAt: status == "draft" ? nil : created, shape: shape
        )
    }

    /// An event of the account that names no subscription (stored and ignored).
    static func noise(_ type: String, customer: String, created: Int64, random: inout SeededRandom, shape: APIShape) -> JSONValue {
        let object: JSONValue
        switch type {
        case "customer.updated":
            object = .object([
                "id": .string(customer), "object": .string("customer"), "email": .string("billing+\(token(&random, 6))@example.com"),
                "name": .string("Zoë Müller GmbH"), "balance": .int(0), "currency": .string("eur"), "delinquent": .bool(false),
            ])
        default:
            object = .object([
                "id": .string((type.hasPrefix("charge") ? "ch_" : "pi_") + token(&random, 24)),
                "object": .string(type.hasPrefix("charge") ? "charge" : "payment_intent"),
                "amount": .int(Int64(random.next() % 100_000)), "currency": .string("usd"), "customer": .string(customer),
                "status": .string("succeeded"), "description": .string("Subscription update"),
            ])
        }
        return TestEvents.envelope(id: eventID(&random), type: type, created: created, shape: shape, object: object)
    }

    /// The document with the fields Stripe renders around the ones meterbridge reads.
    static func realistic(_ event: JSONValue, customer: String, random: inout SeededRandom) -> JSONValue {
        guard case .object(var envelope) = event, case .object(var data)? = envelope["data"], case .object(var object)? = data["object"] else {
            return event
        }
        var extra: JSONObject = [
            "livemode": .bool(false), "currency": .string("usd"), "description": .null, "on_behalf_of": .null, "test_clock": .null,
            "metadata": .object([
                "crm_account_id": .string("0015g00000\(token(&random, 8))"), "plan_family": .string("usage-2025"),
                "account_owner": .string("Søren Kierkegaard"), "region": .string("eu-central"),
            ]),
            "automatic_tax": .object(["enabled": .bool(false), "liability": .null, "disabled_reason": .null]),
        ]
        switch object["object"]?.stringValue {
        case "subscription":
            // Stripe renders each item with its legacy `plan` twin of the price, and a few more fields.
            if case .object(var items)? = object["items"], case .array(let list)? = items["data"] {
                items["data"] = .array(list.map { item in
                    guard case .object(var fields) = item, case .object(var plan)? = fields["price"] else { return item }
                    plan["object"] = .string("plan")
                    plan["amount"] = plan["unit_amount"] ?? .null
                    plan["interval"] = .string("month")
                    plan["billing_scheme"] = .string("per_unit")
                    fields["plan"] = .object(plan)
                    fields["created"] = object["created"] ?? .null
                    fields["discounts"] = .array([])
                    fields["tax_rates"] = .array([])
                    fields["billing_thresholds"] = .null
                    return .object(fields)
                })
                object["items"] = .object(items)
            }
            extra.merge([
                "application": .null, "application_fee_percent": .null, "billing_cycle_anchor": object["created"] ?? .null,
                "billing_cycle_anchor_config": .null, "billing_thresholds": .null, "collection_method": .string("charge_automatically"),
                "days_until_due": .null, "default_payment_method": .string("pm_\(token(&random, 24))"), "default_source": .null,
                "default_tax_rates": .array([]), "discount": .null, "discounts": .array([]),
                "invoice_settings": .object(["account_tax_ids": .null, "issuer": .object(["type": .string("self")])]),
                "latest_invoice": .string("in_\(token(&random, 24))"), "next_pending_invoice_item_invoice": .null,
                "payment_settings": .object([
                    "payment_method_options": .object(["card": .object(["request_three_d_secure": .string("automatic")])]),
                    "payment_method_types": .array([.string("card"), .string("sepa_debit")]),
                    "save_default_payment_method": .string("on_subscription"),
                ]),
                "pending_invoice_item_interval": .null, "pending_setup_intent": .null, "pending_update": .null,
                "start_date": object["created"] ?? .null,
                "transfer_data": .null, "trial_end": .null, "trial_start": .null,
                "trial_settings": .object(["end_behavior": .object(["missing_payment_method": .string("create_invoice")])]),
            ]) { current, _ in current }
        case "invoice":
            let amount = Int64(random.next() % 50_000)
            extra.merge([
                "account_country": .string("DE"), "account_name": .string("Acme Cloud GmbH"), "amount_due": .int(amount), "amount_paid": .int(0),
                "amount_remaining": .int(amount), "attempt_count": .int(0), "attempted": .bool(false), "auto_advance": .bool(true),
                "customer": .string(customer), "customer_email": .string("billing@example.com"), "customer_name": .string("José García"),
                "customer_address": .object([
                    "city": .string("Berlin"), "country": .string("DE"), "line1": .string("Friedrichstraße 123"), "line2": .null,
                    "postal_code": .string("10117"), "state": .null,
                ]),
                "customer_tax_exempt": .string("none"), "customer_tax_ids": .array([]), "default_tax_rates": .array([]),
                "hosted_invoice_url": .string("https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_\(token(&random, 40))"),
                "invoice_pdf": .string("https://pay.stripe.com/invoice/acct_1Nv0FGQ9RKHgCVdK/test_\(token(&random, 40))/pdf"),
                "number": .string("\(token(&random, 8).uppercased())-0001"), "subtotal": .int(amount), "total": .int(amount),
                "total_discount_amounts": .array([]), "total_tax_amounts": .array([]), "webhooks_delivered_at": .null,
            ]) { current, _ in current }
        default:
            break
        }
        object.merge(extra) { current, _ in current }
        data["object"] = .object(object)
        envelope["data"] = .object(data)
        envelope["request"] = .object(["id": .string("req_\(token(&random, 14))"), "idempotency_key": .string(token(&random, 32))])
        return .object(envelope)
    }

    /// JSON as Stripe delivers it: two-space indentation, one member per line.
    static func pretty(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .object(let object) where !object.isEmpty:
            let members = object.sorted { $0.key < $1.key }.map { member in
                "\(inner)\(JSONValue.string(member.key).serialized): \(pretty(member.value, indent: inner))"
            }
            return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
        case .array(let array) where !array.isEmpty:
            return "[\n" + array.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        default:
            return value.serialized
        }
    }

    static func eventID(_ random: inout SeededRandom) -> String { "evt_1Q\(token(&random, 22))" }

    static func token(_ random: inout SeededRandom, _ length: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".unicodeScalars)
        var text = String.UnicodeScalarView()
        for _ in 0..<length { text.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
        return String(text)
    }
}
