import BillingCore

/// Realistic Stripe event bodies for the state machine benchmarks: per subscription a year of
/// renewals (update, draft invoice, finalization, payment), a schedule-driven legacy → meter
/// migration, a mid-cycle price change, cancellation at period end and deletion, and about 5 %
/// redeliveries, alternating the acacia and basil shapes.
enum BenchmarkStories {
    static let month: Int64 = 2_592_000
    static let start: Int64 = 1_743_465_600

    /// The event bodies of `count` subscriptions, each in created order.
    static func bodies(subscriptions count: Int) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        for index in 0..<count {
            bodies += story(index).map { Array($0.utf8) }
        }
        return bodies
    }

    struct Item {
        var id: String
        var price: String
    }

    static func story(_ index: Int) -> [String] {
        let basil = index % 2 == 1
        let sub = "sub_bench\(index)"
        var events: [String] = []
        var counter = 0
        func eventID() -> String {
            counter += 1
            return "evt_bench\(index)_\(counter)"
        }
        var items = [Item(id: "si_base\(index)", price: "price_base"), Item(id: "si_api\(index)", price: "price_legacy")]
        var periodStart = start
        var cancel = false
        var status = "active"
        var endedAt: Int64?

        func subscription(_ type: String, at time: Int64, previous: [Item]?, previousStart: Int64?) -> String {
            let end = periodStart + month
            let itemsJSON = items.map { item(($0), basil ? (periodStart, end) : nil) }.joined(separator: ",")
            let subPeriod = basil ? "" : "\"current_period_start\":\(periodStart),\"current_period_end\":\(end),"
            var previousJSON = ""
            if let previous, let previousStart {
                let old = previous.map { item($0, basil ? (previousStart, previousStart + month) : nil) }.joined(separator: ",")
                let oldPeriod = basil ? "" : ",\"current_period_start\":\(previousStart),\"current_period_end\":\(previousStart + month)"
                previousJSON = ",\"previous_attributes\":{\"items\":{\"object\":\"list\",\"data\":[\(old)],\"has_more\":false}\(oldPeriod)}"
            }
            let ended = endedAt.map(String.init) ?? "null"
            let object = """
                {"id":"\(sub)","object":"subscription","customer":"cus_bench\(index)","status":"\(status)",\(subPeriod)\
                "items":{"object":"list","data":[\(itemsJSON)],"has_more":false,"total_count":\(items.count)},\
                "cancel_at_period_end":\(cancel),"cancel_at":\(cancel ? String(end) : "null"),"canceled_at":null,"ended_at":\(ended),\
                "schedule":null,"created":\(start),"metadata":{"tenant":"bench"},"pause_collection":null,"livemode":false}
                """
            return envelope(type, at: time, object: object, extra: previousJSON)
        }

        func item(_ item: Item, _ period: (Int64, Int64)?) -> String {
            let periodJSON = period.map { "\"current_period_start\":\($0.0),\"current_period_end\":\($0.1)," } ?? ""
            return """
                {"id":"\(item.id)","object":"subscription_item",\(periodJSON)"price":\(price(item.price)),"quantity":1,\
                "subscription":"\(sub)","metadata":{}}
                """
        }

        func price(_ id: String) -> String {
            let meter = id.hasPrefix("price_meter") ? "\"mtr_api\"" : "null"
            let usage = id == "price_base" ? "licensed" : "metered"
            let aggregate = !basil && id == "price_legacy" ? ",\"aggregate_usage\":\"sum\"" : ""
            let product = id == "price_base" ? "prod_base" : "prod_api"
            return """
                {"id":"\(id)","object":"price","active":true,"product":"\(product)","type":"recurring","unit_amount":1,\
                "recurring":{"interval":"month","interval_count":1,"usage_type":"\(usage)","meter":\(meter)\(aggregate)}}
                """
        }

        func invoice(_ type: String, status: String, at time: Int64, periodStart: Int64) -> String {
            let owner =
                basil
                ? "\"parent\":{\"type\":\"subscription_details\",\"subscription_details\":{\"subscription\":\"\(sub)\"}}"
                : "\"subscription\":\"\(sub)\""
            let finalized = status == "draft" ? "null" : String(periodStart + month + 3600)
            let object = """
                {"id":"in_bench\(index)_\(periodStart)","object":"invoice","status":"\(status)","billing_reason":"subscription_cycle",\
                \(owner),"customer":"cus_bench\(index)","period_start":\(periodStart),"period_end":\(periodStart + month),\
                "lines":{"object":"list","data":[],"has_more":false},"status_transitions":{"finalized_at":\(finalized)}}
                """
            return envelope(type, at: time, object: object)
        }

        func schedule(_ type: String, at time: Int64, switchAt: Int64) -> String {
            let object = """
                {"id":"sub_sched_bench\(index)","object":"subscription_schedule","customer":"cus_bench\(index)","status":"active",\
                "subscription":"\(sub)","end_behavior":"release","current_phase":null,"released_subscription":null,\
                "phases":[{"start_date":\(switchAt - month),"end_date":\(switchAt),"items":[{"price":\(price("price_base")),"quantity":1},\
                {"price":\(price("price_legacy"))}]},{"start_date":\(switchAt),"end_date":null,"items":[{"price":\(price("price_base")),\
                "quantity":1},{"price":\(price("price_meter"))}]}]}
                """
            return envelope(type, at: time, object: object)
        }

        func envelope(_ type: String, at time: Int64, object: String, extra: String = "") -> String {
            let version = basil ? "2025-03-31.basil" : "2025-02-24.acacia"
            return """
                {"id":"\(eventID())","object":"event","api_version":"\(version)","created":\(time),"livemode":false,\
                "type":"\(type)","data":{"object":\(object)\(extra)},"pending_webhooks":1,"request":{"id":null,"idempotency_key":null}}
                """
        }

        events.append(subscription("customer.subscription.created", at: start + 1, previous: nil, previousStart: nil))
        for cycle in 1...12 {
            let boundary = periodStart + month
            if cycle == 4 { events.append(schedule("subscription_schedule.created", at: periodStart + 864_000, switchAt: boundary)) }
            if cycle == 8 {
                let before = items
                items[1].price = "price_meter_b"
                events.append(
                    subscription("customer.subscription.updated", at: periodStart + 1_296_000, previous: before, previousStart: periodStart))
            }
            if cycle == 12 {
                cancel = true
                events.append(subscription("customer.subscription.updated", at: periodStart + 1_728_000, previous: nil, previousStart: nil))
                status = "canceled"
                endedAt = boundary
                events.append(subscription("customer.subscription.deleted", at: boundary + 1, previous: nil, previousStart: nil))
            } else {
                let before = items, previousStart = periodStart
                periodStart = boundary
                if cycle == 4 { items[1] = Item(id: "si_meter\(index)", price: "price_meter") }
                events.append(subscription("customer.subscription.updated", at: boundary + 2, previous: before, previousStart: previousStart))
                if cycle == 4 { events.append(schedule("subscription_schedule.updated", at: boundary + 3, switchAt: boundary)) }
            }
            let ended = boundary - month
            events.append(invoice("invoice.created", status: "draft", at: boundary + 3, periodStart: ended))
            events.append(invoice("invoice.finalized", status: "open", at: boundary + 3603, periodStart: ended))
            events.append(invoice("invoice.paid", status: "paid", at: boundary + 3700, periodStart: ended))
        }
        // About 5 % redeliveries, spread over the story.
        for position in stride(from: events.count - 1, to: 0, by: -20) {
            events.insert(events[position / 2], at: position)
        }
        return events
    }
}
