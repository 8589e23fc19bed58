extension DoubleState {
    /// `GET /v1/billing/meters/{id}/event_summaries`: the customer's aggregated usage over
    /// `[start_time, end_time)`, as one summary or one per hour/day window, newest first.
    func listMeterEventSummaries(_ request: EndpointRequest) throws(StripeError) -> StripeResponse {
        var shapes = Pagination.shapes
        for name in ["customer", "start_time", "end_time", "value_grouping_window"] { shapes[name] = .scalar }
        let reader = try ParameterReader(request.parameters, shapes: shapes)
        let customer = try reader.requiredString("customer")
        let start = try reader.requiredInteger("start_time")
        let end = try reader.requiredInteger("end_time")
        let window = try reader.string("value_grouping_window")
        let pagination = try Pagination(reader)
        // "start_time / end_time … Must be aligned with minute boundaries" (API reference).
        guard start % 60 == 0 else { throw .invalidValue("start_time", "start_time must be aligned with minute boundaries.") }
        guard end % 60 == 0 else { throw .invalidValue("end_time", "end_time must be aligned with minute boundaries.") }
        guard start < end else { throw .invalidValue("end_time", "end_time must be after start_time.") }
        let step: Int64
        switch window {
        case nil: step = end - start
        // Hourly windows need hour-aligned bounds, daily ones UTC-day-aligned bounds.
        case "hour"?: step = 3_600
        case "day"?: step = 86_400
        case let other?: throw .invalidValue("value_grouping_window", "Invalid value_grouping_window: must be one of hour or day (received \(other))")
        }
        if let window, start % step != 0 || end % step != 0 {
            throw .invalidValue(
                "start_time", "start_time and end_time must be aligned with \(window) boundaries for value_grouping_window=\(window).")
        }

        let meterID = request.route.objectID ?? ""
        guard let meter = meters.meters[meterID] else {
            throw .resourceMissing("No such billing meter: '\(meterID)'", param: "id")
        }
        let windowStarts = stride(from: start, to: end, by: Int(step)).reversed()
        let summaries = windowStarts.map { windowStart -> (id: String, json: JSONOutput) in
            let windowEnd = min(windowStart + step, end)
            let id = "mtrusg_double_\(meterID)_\(customer)_\(windowStart)_\(windowEnd)"
            let value = meters.total(meter: meter, customer: customer, from: windowStart, to: windowEnd)
            return (id, .object([
                ("id", .string(id)),
                ("object", .string("billing.meter_event_summary")),
                ("aggregated_value", .double(Double(value))),
                ("end_time", .int(windowEnd)),
                ("livemode", .bool(request.livemode)),
                ("meter", .string(meterID)),
                ("start_time", .int(windowStart)),
            ]))
        }
        return try pagination.page(summaries, url: request.path)
    }
}
