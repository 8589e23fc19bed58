import BillingCore

extension DoubleState {
    /// `GET /v1/subscription_items/{id}/usage_record_summaries`: one summary per invoice period,
    /// newest first, the current period first with `invoice: null`.
    func listUsageRecordSummaries(_ request: EndpointRequest) throws(StripeError) -> StripeResponse {
        try requireUsageRecordVersion(request)
        let reader = try ParameterReader(request.parameters, shapes: Pagination.shapes)
        let pagination = try Pagination(reader)
        let itemID = request.route.objectID ?? ""
        guard let item = liveItem(itemID) else {
            throw .resourceMissing("No such subscription item: '\(itemID)'", param: "subscription_item")
        }
        let summaries = item.periodsNewestFirst.map { entry -> (id: String, json: JSONOutput) in
            // Deterministic ids, so `starting_after` finds its place again.
            let id = "sis_double_\(itemID)_\(entry.period.start)"
            let json = JSONOutput.object([
                ("id", .string(id)),
                ("object", .string("usage_record_summary")),
                ("invoice", .optional(entry.invoice)),
                ("livemode", .bool(request.livemode)),
                ("period", .object([("end", .int(entry.period.end)), ("start", .int(entry.period.start))])),
                ("subscription_item", .string(itemID)),
                ("total_usage", .int(item.billed(in: entry.period))),
            ])
            return (id, json)
        }
        return try pagination.page(summaries, url: request.path)
    }
}
