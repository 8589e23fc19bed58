import BillingCore

extension DoubleState {
    /// `POST /v1/subscription_items/{id}/usage_records` with Stripe's legacy rules.
    mutating func createUsageRecord(_ request: EndpointRequest) throws(StripeError) -> StripeResponse {
        try requireUsageRecordVersion(request)
        let reader = try ParameterReader(request.parameters, shapes: ["quantity": .scalar, "timestamp": .scalar, "action": .scalar])
        let quantity = try reader.requiredInteger("quantity")
        // Usage quantities are non-negative: Stripe has no negative usage records (corrections use `action=set`).
        guard quantity >= 0 else { throw .invalidValue("quantity", "This value must be greater than or equal to 0.") }
        let timestamp: Int64
        switch try reader.string("timestamp") {
        case nil, "now"?: timestamp = request.now
        case let text?:
            guard let value = ParameterReader.parseInteger(text) else { throw .invalidInteger("timestamp", text) }
            timestamp = value
        }
        let action: UsageRecordAction
        switch try reader.string("action") {
        case nil, "increment"?: action = .increment
        case "set"?: action = .set
        case let other?: throw .invalidValue("action", "Invalid action: must be one of increment or set (received \(other))")
        }

        // The endpoint has begun executing from here: errors below are saved under an idempotency key.
        let itemID = request.route.objectID ?? ""
        guard var item = liveItem(itemID) else {
            throw .resourceMissing("No such subscription item: '\(itemID)'", param: "subscription_item")
        }
        // Usage records are for metered prices without a meter; meter-backed prices take meter events.
        switch item.seed.price.reportingMode {
        case .legacy: break
        case .meter:
            throw .rule("Usage records cannot be created for a subscription item whose price is backed by a billing meter "
                + "(price \(item.seed.price.id)). Report usage with billing meter events instead.", param: "subscription_item")
        case .none:
            throw .rule("You can only create usage records for subscription items on a metered price (usage_type=metered); "
                + "price \(item.seed.price.id) is not metered.", param: "subscription_item")
        }
        let period = item.seed.currentPeriod
        // Stripe accepts records only inside the current period: after a rollover, back-dated usage is refused.
        guard timestamp >= period.start else {
            throw .rule("Cannot create the usage record with this timestamp because timestamps must be after the subscription's "
                + "last invoice period (or current period start time).", param: "timestamp")
        }
        // Nor in the future, beyond a short clock-drift grace that Stripe does not guarantee (a setting, default 0).
        guard timestamp <= request.now + request.settings.usageRecordClockDriftGrace else {
            throw .rule("Cannot create the usage record with this timestamp because timestamps must not be in the future.", param: "timestamp")
        }
        guard timestamp < period.end else {
            throw .rule("Cannot create the usage record with this timestamp because timestamps must be before the subscription's "
                + "current period end time.", param: "timestamp")
        }

        item.apply(quantity: quantity, at: timestamp, action: action, sequence: nextSequence())
        items[itemID] = item
        let id = makeID("mbur")
        return .ok(.object([
            ("id", .string(id)),
            ("object", .string("usage_record")),
            ("livemode", .bool(request.livemode)),
            ("quantity", .int(quantity)),
            ("subscription_item", .string(itemID)),
            ("timestamp", .int(timestamp)),
        ]))
    }
}
