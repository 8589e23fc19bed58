/// Stripe's list pagination: `limit` (1…100, default 10), `starting_after` and `ending_before` object ids.
struct Pagination {
    static let shapes: [String: ParameterReader.Shape] = ["limit": .scalar, "starting_after": .scalar, "ending_before": .scalar]

    var limit: Int
    var startingAfter: String?
    var endingBefore: String?

    init(_ reader: ParameterReader) throws(StripeError) {
        let limit = try reader.integer("limit") ?? 10
        guard (1...100).contains(limit) else { throw .invalidValue("limit", "Invalid limit: must be between 1 and 100") }
        self.limit = Int(limit)
        self.startingAfter = try reader.string("starting_after")
        self.endingBefore = try reader.string("ending_before")
        guard startingAfter == nil || endingBefore == nil else {
            throw .invalidValue("ending_before", "You may only specify one of these parameters: ending_before, starting_after.")
        }
    }

    /// A Stripe list object for one page of `elements` (already in list order).
    func page(_ elements: [(id: String, json: JSONOutput)], url: String) throws(StripeError) -> StripeResponse {
        var window = elements[...]
        if let startingAfter {
            guard let index = elements.firstIndex(where: { $0.id == startingAfter }) else {
                throw .resourceMissing("No such object: '\(startingAfter)'", param: "starting_after", status: 400)
            }
            window = elements[(index + 1)...]
        }
        if let endingBefore {
            guard let index = elements.firstIndex(where: { $0.id == endingBefore }) else {
                throw .resourceMissing("No such object: '\(endingBefore)'", param: "ending_before", status: 400)
            }
            // The page just before the cursor, still in list order.
            window = elements[max(0, index - limit)..<index]
        }
        let page = window.prefix(limit)
        let hasMore = endingBefore == nil ? window.count > page.count : page.startIndex > 0
        return .ok(.object([
            ("object", .string("list")),
            ("data", .array(page.map(\.json))),
            ("has_more", .bool(hasMore)),
            ("url", .string(url)),
        ]))
    }
}
