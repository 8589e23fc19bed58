import BillingCore
import Logging
import NIOHTTP1

extension StripeClient {
    public func createMeterEvent(
        eventName: String, customer: String, value: Int64, timestamp: Int64, identifier: String
    ) async throws(StripeCallError) -> StripeMeterEventResult {
        let operation = StripeOperation.createMeterEvent
        // "identifier … Max length: 100" (API reference, create a billing meter event).
        guard !identifier.isEmpty, identifier.count <= 100 else {
            throw StripeCallError(
                code: .invalidRequest, operation: operation,
                message: "The meter event identifier must be 1 to 100 characters long (got \(identifier.count)).", shouldRetry: false)
        }
        var form = StripeForm()
        form.append("event_name", eventName)
        form.append("payload", .hash([("stripe_customer_id", .string(customer)), ("value", .string(String(value)))]))
        form.append("identifier", identifier)
        form.append("timestamp", String(timestamp))
        // No Idempotency-Key: the identifier is Stripe's dedupe for meter events, and a repeat is
        // answered with a 400 that this method turns into `alreadyDelivered`.
        let request = StripeRequest(
            operation: operation, method: .POST, path: "/v1/billing/meter_events", form: form, version: configuration.versionMeter,
            metadata: ["stripe.meter_event.identifier": "\(identifier)", "stripe.meter_event.name": "\(eventName)"])

        // Stripe allows one concurrent call per customer per meter: hold the gate for the whole call, retries included.
        let key = MeterGateKey(customer: customer, eventName: eventName)
        do {
            try await meterGate.acquire(key, onQueued: { observer.queuedBehindConcurrentCall(operation) })
        } catch {
            throw cancelled(operation, attempts: 0)
        }
        defer { meterGate.release(key) }

        do {
            let answer = try await perform(request)
            return StripeMeterEventResult(
                identifier: answer.json["identifier"]?.stringValue ?? identifier, eventName: eventName, customer: customer, value: value,
                timestamp: answer.json["timestamp"]?.int64Value ?? timestamp, alreadyDelivered: false, requestID: answer.requestID,
                attempts: answer.attempts)
        } catch where Self.isDuplicateIdentifier(error) {
            // Delivered earlier (by an attempt whose answer was lost, or by an earlier run): success.
            logger.debug(
                "Meter event already delivered",
                metadata: [
                    "stripe.endpoint": "\(operation.rawValue)", "stripe.meter_event.identifier": "\(identifier)",
                    "stripe.request_id": "\(error.requestID ?? "-")",
                ])
            return StripeMeterEventResult(
                identifier: identifier, eventName: eventName, customer: customer, value: value, timestamp: timestamp,
                alreadyDelivered: true, requestID: error.requestID, attempts: error.attempts)
        }
    }

    public func cancelMeterEvent(eventName: String, identifier: String) async throws(StripeCallError) -> StripeMeterEventCancellation {
        let operation = StripeOperation.cancelMeterEvent
        var form = StripeForm()
        form.append("event_name", eventName)
        form.append("type", "cancel")
        form.append("cancel", .hash([("identifier", .string(identifier))]))
        // A key derived from the identifier: a retry after a lost answer is replayed, not applied twice.
        let idempotencyKey = "meterbridge-cancel-\(identifier)"
        let answer = try await perform(
            StripeRequest(
                operation: operation, method: .POST, path: "/v1/billing/meter_event_adjustments", form: form,
                version: configuration.versionMeter, idempotencyKey: idempotencyKey,
                metadata: ["stripe.meter_event.identifier": "\(identifier)", "stripe.idempotency_key": "\(idempotencyKey)"]))
        return StripeMeterEventCancellation(
            identifier: answer.json["cancel"]?["identifier"]?.stringValue ?? identifier, eventName: eventName,
            status: answer.json["status"]?.stringValue ?? "pending", requestID: answer.requestID)
    }

    public func meterEventSummaries(
        meterID: String, customer: String, start: Int64, end: Int64, window: StripeMeterSummaryWindow?
    ) async throws(StripeCallError) -> [StripeMeterEventSummary] {
        let operation = StripeOperation.listMeterEventSummaries
        var form = StripeForm()
        form.append("customer", customer)
        form.append("start_time", String(start))
        form.append("end_time", String(end))
        if let window { form.append("value_grouping_window", window.rawValue) }
        let objects = try await list(
            operation, path: "/v1/billing/meters/\(StripeForm.percentEncode(meterID))/event_summaries", form: form,
            version: configuration.versionMeter, metadata: ["stripe.meter": meterID])
        var summaries: [StripeMeterEventSummary] = []
        for (object, answer) in objects {
            guard let id = object["id"]?.stringValue, let windowStart = object["start_time"]?.int64Value,
                let windowEnd = object["end_time"]?.int64Value, let value = object["aggregated_value"]?.doubleValue
            else { throw unexpected(operation, answer, "A meter event summary lacks id, start_time, end_time or aggregated_value.") }
            summaries.append(
                StripeMeterEventSummary(
                    id: id, meter: object["meter"]?.stringValue ?? meterID, start: windowStart, end: windowEnd, aggregatedValue: value))
        }
        return summaries
    }

    /// Stripe's answer to a repeated identifier: 400 "An event already exists with identifier …",
    /// `Stripe-Should-Retry: false`.
    static func isDuplicateIdentifier(_ error: StripeCallError) -> Bool {
        guard error.status == 400 else { return false }
        if error.stripeCode == "duplicate_meter_event" { return true }
        if error.message.hasPrefix("An event already exists with identifier") { return true }
        return error.param == "identifier" && error.message.lowercased().contains("already exists")
    }
}
