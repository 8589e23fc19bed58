import BillingCore
import Logging
import NIOHTTP1

extension StripeClient {
    public func createUsageRecord(
        subscriptionItem: String, quantity: Int64, timestamp: Int64, action: UsageRecordAction, idempotencyKey: String
    ) async throws(StripeCallError) -> StripeUsageRecordResult {
        let operation = StripeOperation.createUsageRecord
        // "Idempotency keys … can be up to 255 characters long" (API reference, idempotent requests).
        guard !idempotencyKey.isEmpty, idempotencyKey.count <= 255 else {
            throw StripeCallError(
                code: .invalidRequest, operation: operation,
                message: "The idempotency key must be 1 to 255 characters long (got \(idempotencyKey.count)).", shouldRetry: false)
        }
        var form = StripeForm()
        form.append("quantity", String(quantity))
        form.append("timestamp", String(timestamp))
        form.append("action", action.rawValue)
        let request = StripeRequest(
            operation: operation, method: .POST,
            path: "/v1/subscription_items/\(StripeForm.percentEncode(subscriptionItem))/usage_records", form: form,
            version: configuration.versionLegacy, idempotencyKey: idempotencyKey,
            metadata: ["stripe.idempotency_key": "\(idempotencyKey)", "stripe.subscription_item": "\(subscriptionItem)"])
        let answer = try await perform(request)
        guard let id = answer.json["id"]?.stringValue else {
            throw unexpected(operation, answer, "The usage record has no id.")
        }
        return StripeUsageRecordResult(
            id: id, subscriptionItem: answer.json["subscription_item"]?.stringValue ?? subscriptionItem,
            quantity: answer.json["quantity"]?.int64Value ?? quantity, timestamp: answer.json["timestamp"]?.int64Value ?? timestamp,
            action: action, requestID: answer.requestID, replayed: answer.replayed, attempts: answer.attempts)
    }

    public func usageRecordSummaries(subscriptionItem: String) async throws(StripeCallError) -> [StripeUsageRecordSummary] {
        let operation = StripeOperation.listUsageRecordSummaries
        let path = "/v1/subscription_items/\(StripeForm.percentEncode(subscriptionItem))/usage_record_summaries"
        let objects = try await list(
            operation, path: path, form: StripeForm(), version: configuration.versionLegacy,
            metadata: ["stripe.subscription_item": "\(subscriptionItem)"])
        var summaries: [StripeUsageRecordSummary] = []
        for (object, answer) in objects {
            guard let id = object["id"]?.stringValue, let start = object["period"]?["start"]?.int64Value,
                let end = object["period"]?["end"]?.int64Value, let total = object["total_usage"]?.int64Value
            else { throw unexpected(operation, answer, "A usage record summary lacks id, period or total_usage.") }
            summaries.append(
                StripeUsageRecordSummary(
                    id: id, subscriptionItem: object["subscription_item"]?.stringValue ?? subscriptionItem,
                    invoice: object["invoice"]?.stringValue, periodStart: start, periodEnd: end, totalUsage: total))
        }
        return summaries
    }
}
