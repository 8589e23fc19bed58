extension DoubleState {
    /// `POST /v1/billing/meter_event_adjustments` with `type=cancel`: removes one event from every
    /// total, if Stripe received it within the last 24 hours.
    mutating func createMeterEventAdjustment(_ request: EndpointRequest) throws(StripeError) -> StripeResponse {
        let reader = try ParameterReader(
            request.parameters, shapes: ["event_name": .scalar, "type": .scalar, "cancel": .hash(keys: ["identifier"])])
        let eventName = try reader.requiredString("event_name")
        let type = try reader.string("type") ?? "cancel"
        // Only single-event cancellation exists ("Time period cancellation is not supported yet").
        guard type == "cancel" else { throw .invalidValue("type", "Invalid type: must be one of cancel") }
        guard let identifier = try reader.string("cancel[identifier]") else { throw .parameterMissing("cancel[identifier]") }

        guard meters.meter(eventName: eventName) != nil else {
            throw .rule("No active meter was found for event name '\(eventName)'.", param: "event_name", code: "resource_missing")
        }
        guard let index = meters.byIdentifier[identifier], meters.events[index].eventName == eventName else {
            throw .resourceMissing("No meter event found with identifier '\(identifier)' for event name '\(eventName)'.",
                param: "cancel[identifier]", status: 400)
        }
        // "You can cancel meter events within 24 hours of Stripe receiving them" (usage-based billing docs).
        guard request.now - meters.events[index].created < request.settings.meterCancellationWindow else {
            throw .rule("Meter event '\(identifier)' can no longer be cancelled: events can only be cancelled within 24 hours of being received.",
                param: "cancel[identifier]")
        }
        meters.events[index].canceled = true
        return .ok(.object([
            ("object", .string("billing.meter_event_adjustment")),
            ("cancel", .object([("identifier", .string(identifier))])),
            ("event_name", .string(eventName)),
            ("livemode", .bool(request.livemode)),
            ("status", .string("pending")),
            ("type", .string("cancel")),
        ]))
    }
}
