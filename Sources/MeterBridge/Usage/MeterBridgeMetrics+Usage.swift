import BillingStore

extension MeterBridgeMetrics {
    /// Counts one `POST /v1/usage` answer (`meterbridge_usage_requests_total{outcome,reason}`): `stored`, `rejected`
    /// with the error code, or `failed` when the store could not commit.
    func recordUsageRequest(outcome: String, reason: String = "") {
        increment("meterbridge_usage_requests_total", [("outcome", outcome), ("reason", reason)])
    }

    /// Counts the records of a stored batch per metric: `meterbridge_usage_recorded_total` for those stored now,
    /// `meterbridge_usage_duplicates_total` for ids already stored.
    func recordUsageStored(_ records: [UsageRecordInput], duplicateIndices: [Int]) {
        // Counted in a short list, not a dictionary: a batch holds a handful of metrics, and comparing a name with the
        // previous one is cheaper than hashing it 10,000 times.
        var recorded: [(metric: String, count: Int64)] = []
        func add(_ metric: String, _ amount: Int64, to counts: inout [(metric: String, count: Int64)]) {
            if let last = counts.indices.last, counts[last].metric == metric {
                counts[last].count += amount
            } else if let index = counts.firstIndex(where: { $0.metric == metric }) {
                counts[index].count += amount
            } else {
                counts.append((metric, amount))
            }
        }
        for record in records {
            add(record.metric, 1, to: &recorded)
        }
        var duplicates: [(metric: String, count: Int64)] = []
        for index in duplicateIndices {
            add(records[index].metric, -1, to: &recorded)
            add(records[index].metric, 1, to: &duplicates)
        }
        for (metric, count) in recorded where count > 0 {
            increment("meterbridge_usage_recorded_total", [("metric", metric)], by: count)
        }
        for (metric, count) in duplicates {
            increment("meterbridge_usage_duplicates_total", [("metric", metric)], by: count)
        }
    }
}
