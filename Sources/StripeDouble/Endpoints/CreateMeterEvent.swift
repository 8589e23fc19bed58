import Foundation

extension DoubleState {
    /// `POST /v1/billing/meter_events`: validated synchronously, aggregated by event timestamp.
    mutating func createMeterEvent(_ request: EndpointRequest) throws(StripeError) -> StripeResponse {
        let reader = try ParameterReader(
            request.parameters,
            shapes: ["event_name": .scalar, "payload": .hash(keys: nil), "identifier": .scalar, "timestamp": .scalar])
        let eventName = try reader.requiredString("event_name")
        guard let payload = reader.hash("payload") else { throw .parameterMissing("payload") }
        let identifier = try reader.string("identifier")
        // "identifier … Max length: 100" (API reference, create a billing meter event).
        if let identifier, identifier.count > 100 {
            throw .invalidValue("identifier", "Invalid identifier: must be at most 100 characters")
        }
        let timestamp = try reader.integer("timestamp") ?? request.now

        guard let meter = meters.meter(eventName: eventName) else {
            throw .rule("No active meter was found for event name '\(eventName)'.", param: "event_name", code: "resource_missing")
        }
        let fields = Dictionary(payload.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        guard let customer = fields[meter.customerPayloadKey], !customer.isEmpty else {
            throw .parameterMissing("payload[\(meter.customerPayloadKey)]")
        }
        let value = try Self.meterValue(fields[meter.valuePayloadKey], meter: meter)
        // "timestamp: Must be within the past 35 calendar days or up to 5 minutes in the future" (API reference).
        if timestamp < request.now - request.settings.meterEventPastWindow {
            throw .rule("The timestamp \(timestamp) is too far in the past: meter events must be within the past 35 calendar days.",
                param: "timestamp", code: "timestamp_too_far_in_past")
        }
        if timestamp > request.now + request.settings.meterEventFutureTolerance {
            throw .rule("The timestamp \(timestamp) is too far in the future: meter events may be at most 5 minutes ahead.",
                param: "timestamp", code: "timestamp_in_future")
        }
        let eventIdentifier = identifier ?? UUID().uuidString.lowercased()
        // Identifiers are unique for at least 24 hours; a repeat is refused with a 400 that Stripe marks
        // as not retryable, which a reporter may treat as "already delivered".
        if let index = meters.byIdentifier[eventIdentifier], request.now - meters.events[index].created < request.settings.meterIdentifierWindow {
            throw StripeError(
                status: 400, message: "An event already exists with identifier \(eventIdentifier).", param: "identifier", shouldRetry: false)
        }

        var record = MeterEventRecord(
            identifier: eventIdentifier, eventName: eventName, customer: customer, value: value, timestamp: timestamp,
            created: request.now, canceled: false, errorCode: nil, sequence: nextSequence())
        // Stripe accepts an event for an unknown customer and reports it later, asynchronously
        // (`meter_event_customer_not_found`); it is never billed.
        if !customers.contains(customer) {
            record.errorCode = "meter_event_customer_not_found"
            meters.errorReports.append(
                MeterEventErrorReport(
                    code: "meter_event_customer_not_found", identifier: eventIdentifier, eventName: eventName,
                    message: "No customer found with id \(customer)."))
        }
        meters.append(record)
        return .ok(.object([
            ("object", .string("billing.meter_event")),
            ("created", .int(request.now)),
            ("event_name", .string(eventName)),
            ("identifier", .string(eventIdentifier)),
            ("livemode", .bool(request.livemode)),
            ("payload", .object(payload.map { ($0.key, .string($0.value)) })),
            ("timestamp", .int(timestamp)),
        ]))
    }

    /// The event's value: a whole, non-negative number sent as a string. Count meters do not
    /// read it (each event counts 1). Decimals, signs and exponents are refused: the spec
    /// reports whole quantities, so anything else is a reporter bug the double should surface.
    private static func meterValue(_ text: String?, meter: MeterSeed) throws(StripeError) -> Int64 {
        let name = "payload[\(meter.valuePayloadKey)]"
        guard let text else {
            if meter.aggregation == .count { return 1 }
            throw .parameterMissing(name)
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(text) else {
            throw .invalidValue(name, "Invalid value '\(text)' for \(name): meter event values must be whole, non-negative numbers.")
        }
        return meter.aggregation == .count ? 1 : value
    }
}
