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
        var recorded: [String: Int64] = [:]
        for record in records {
            recorded[record.metric, default: 0] += 1
        }
        var duplicates: [String: Int64] = [:]
        for index in duplicateIndices {
            recorded[records[index].metric, default: 0] -= 1
            duplicates[records[index].metric, default: 0] += 1
        }
        for (metric, count) in recorded where count > 0 {
            increment("meterbridge_usage_recorded_total", [("metric", metric)], by: count)
        }
        for (metric, count) in duplicates {
            increment("meterbridge_usage_duplicates_total", [("metric", metric)], by: count)
        }
    }
}
