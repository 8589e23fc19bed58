import BillingCore
import StripeEventBuilders

extension DoubleState {
    /// `GET /v1/subscriptions`: the account's subscriptions, newest first, filtered by `customer`, `price` and `status`
    /// (default: every status but `canceled`; `all` includes it; `ended` is canceled or incomplete_expired), rendered in
    /// the request's API version; `expand[]=data.schedule` expands the schedule.
    func listSubscriptions(_ request: EndpointRequest) throws(StripeError) -> StripeResponse {
        var shapes = Pagination.shapes
        for name in ["customer", "price", "status"] { shapes[name] = .scalar }
        let reader = try ParameterReader(request.parameters, shapes: shapes)
        let customer = try reader.string("customer")
        let price = try reader.string("price")
        let status = try reader.string("status")
        let statuses = ["active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid"]
        if let status, !statuses.contains(status) {
            throw .invalidValue("status", "Invalid status: must be one of \(statuses.joined(separator: ", "))")
        }
        let expand = request.parameters.pairs.filter { ParameterReader.split($0.0).base == "expand" }.map(\.1)
        for path in expand where path != "data.schedule" && path != "data.customer" && path != "data.latest_invoice" {
            throw .invalidValue("expand", "This property cannot be expanded (\(path)).")
        }
        let pagination = try Pagination(reader)
        let shape: APIShape = request.version.hasUsageRecords ? .acacia : .basil
        let listed = book.order.reversed().compactMap { book.subscriptions[$0] }.filter { record in
            if let customer, record.customer != customer { return false }
            if let price, !record.items.contains(where: { $0.price.id == price }) { return false }
            switch status {
            case nil: return record.status != "canceled"
            case "all"?: return true
            case "ended"?: return record.status == "canceled" || record.status == "incomplete_expired"
            case let wanted?: return record.status == wanted
            }
        }
        let page = listed.map { record -> (id: String, json: JSONOutput) in
            var object = record.testSubscription.json(shape)
            if expand.contains("data.schedule"), let schedule = record.schedule, case .object(var members) = object {
                members["schedule"] = .object([
                    "id": .string(schedule), "object": .string("subscription_schedule"), "customer": .string(record.customer),
                    "status": .string("active"), "subscription": .string(record.id), "end_behavior": .string("release"),
                ])
                object = .object(members)
            }
            return (record.id, JSONOutput(object))
        }
        return try pagination.page(page, url: request.path)
    }
}
