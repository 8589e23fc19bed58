import BillingCore
import BillingStore

/// The body of `POST /v1/usage`, validated into the records to store, or the 400 naming the first bad record and field.
///
/// A body is one record `{"customer","metric","quantity","timestamp"?,"id"?}` or `{"records":[record, …]}` with
/// 1…`maxRecords` records. Errors name the field by its JSON path: `records[17].quantity` in a batch, `quantity` for a
/// single record. Stripe's error codes where Stripe has one (`parameter_missing`, `parameter_unknown`,
/// `parameter_invalid_integer`, `parameter_invalid_empty`, `parameter_invalid_string_empty`).
struct UsageBatchDecoder: Sendable {
    /// The metric catalogue: records of any other metric are refused.
    let metrics: [String: MetricDefinition]
    let maxRecords: Int
    /// How far in the future (seconds) a timestamp may be: Stripe's meter events take up to 5 minutes.
    let futureTolerance: Int64
    private let metricNames: [String]

    init(metrics: [String: MetricDefinition], maxRecords: Int, futureTolerance: Int64) {
        self.metrics = metrics
        self.maxRecords = maxRecords
        self.futureTolerance = futureTolerance
        metricNames = metrics.keys.sorted()
    }

    /// The largest quantity: 2^53 − 1, exact in every JSON implementation (JavaScript's `Number.MAX_SAFE_INTEGER`).
    static let maxQuantity: Int64 = (1 << 53) - 1
    /// The longest `customer` and `id`, in UTF-8 bytes (Stripe's limit for idempotency keys).
    static let maxStringLength = 255
    static let fields = ["customer", "metric", "quantity", "timestamp", "id"]

    /// Validates a parsed body received at `now` (the default timestamp and the horizon for future ones).
    func decode(_ document: UsageDocument, now: UnixTime) throws(APIError) -> UsageBatch {
        let elements: [UsageRecordElement]
        switch document {
        case .other(let value):
            throw .invalidRequest("invalid_body", "The body must be a usage record object or {\"records\":[…]}, got \(Self.describe(value))")
        case .record(let fields):
            return UsageBatch(records: try decode([.record(fields)], batch: false, now: now), isBatch: false)
        case .batch(.other(let value), let otherKeys):
            try Self.rejectKeys(beside: otherKeys)
            throw .invalidRequest("invalid_body", "records: must be an array of usage records, got \(Self.describe(value))")
        case .batch(.array(let array), let otherKeys):
            try Self.rejectKeys(beside: otherKeys)
            elements = array
        }
        guard !elements.isEmpty else {
            throw .invalidRequest("parameter_invalid_empty", "records: must hold 1 to \(maxRecords) usage records, got none")
        }
        guard elements.count <= maxRecords else {
            throw .invalidRequest("too_many_records", "records: at most \(maxRecords) usage records per request, got \(elements.count); split the batch")
        }
        return UsageBatch(records: try decode(elements, batch: true, now: now), isBatch: true)
    }

    private static func rejectKeys(beside keys: [String]) throws(APIError) {
        if let extra = keys.min() {
            throw .invalidRequest("parameter_unknown", "\(extra): unknown field beside records; a batch is {\"records\":[…]} and each record carries its own fields")
        }
    }

    private func decode(_ elements: [UsageRecordElement], batch: Bool, now: UnixTime) throws(APIError) -> [UsageRecordInput] {
        var records: [UsageRecordInput] = []
        records.reserveCapacity(elements.count)
        let generated = UsageRecordID.Request()
        var firstError: (index: Int, error: FieldError)?
        var invalid = 0
        for (index, element) in elements.enumerated() {
            do throws(FieldError) {
                var record = try decodeRecord(element, receivedAt: now)
                guard firstError == nil else { continue }  // only counting the bad ones now
                // Without an id the record is new usage, however much it looks like one sent before.
                if record.id.isEmpty { record.id = generated.id(at: index) }
                records.append(record)
            } catch {
                // Keep going: the answer tells how many records are bad, so a client fixes them all in one round.
                invalid += 1
                if firstError == nil { firstError = (index, error) }
            }
        }
        if let (index, error) = firstError {
            let path = Self.path(batch ? index : nil, error.field)
            let tally = batch && invalid > 1 ? " (\(invalid) of \(elements.count) records are invalid; the first is shown)" : ""
            throw .invalidRequest(error.code, "\(path): \(error.problem)\(tally); nothing was stored")
        }
        return records
    }

    /// One record; `id` is left empty when the client sent none.
    private func decodeRecord(_ element: UsageRecordElement, receivedAt: UnixTime) throws(FieldError) -> UsageRecordInput {
        // Usage timestamps are Stripe's whole unix seconds.
        let now = receivedAt.seconds
        let fields: UsageRecordFields
        switch element {
        case .record(let record):
            fields = record
        case .other(let value):
            throw FieldError(nil, "invalid_body", "must be a usage record object, got \(Self.describe(value))")
        }
        // Checked in a fixed order, so the same bad record always gets the same answer.
        if let unknown = fields.unknownKeys.min() {
            throw FieldError(unknown, "parameter_unknown", "unknown field; a usage record has \(Self.fields.joined(separator: ", "))")
        }
        guard let customerValue = fields.customer else { throw FieldError("customer", "parameter_missing", "required (the Stripe customer id, cus_…)") }
        let customer = try Self.string(customerValue, "customer", maxLength: Self.maxStringLength)
        guard let metricValue = fields.metric else { throw FieldError("metric", "parameter_missing", "required (one of \(knownMetrics))") }
        let metric = try Self.string(metricValue, "metric", maxLength: Self.maxStringLength)
        guard isKnown(metric) else {
            throw FieldError("metric", "unknown_metric", "unknown metric \(Self.quote(metric)); configured metrics: \(knownMetrics)")
        }
        guard let quantityValue = fields.quantity else { throw FieldError("quantity", "parameter_missing", "required (a non-negative integer)") }
        let quantity = try Self.integer(quantityValue, "quantity", in: 0...Self.maxQuantity, range: "a non-negative integer up to 2^53 − 1")
        // An optional field sent as null counts as absent, as many encoders write an optional they do not have.
        var timestamp: Int64?
        if let timestampValue = fields.timestamp, !timestampValue.isNull {
            let value = try Self.integer(timestampValue, "timestamp", in: 0...Int64.max, range: "a non-negative integer (unix seconds)")
            guard value <= now + futureTolerance else {
                let hint = value > 100_000_000_000 ? "; it looks like milliseconds, send unix seconds" : ""
                throw FieldError("timestamp", "timestamp_in_future", "\(value) is more than \(futureTolerance) s in the future (now is \(now))\(hint)")
            }
            timestamp = value
        }
        var id = ""
        if let idValue = fields.id, !idValue.isNull {
            id = try Self.string(idValue, "id", maxLength: Self.maxStringLength)
            guard !id.hasPrefix(UsageRecordID.generatedPrefix) else {
                throw FieldError("id", "parameter_invalid_string", "ids starting with \(UsageRecordID.generatedPrefix) are reserved for the ids meterbridge generates")
            }
        }
        return UsageRecordInput(
            id: id, customerID: customer, metric: metric, quantity: quantity,
            timestamp: timestamp ?? now, timestampDefaulted: timestamp == nil, receivedAt: receivedAt.milliseconds
        )
    }

    /// Whether `metric` is in the catalogue. A catalogue holds a handful of metrics: comparing names is cheaper than
    /// hashing one, 10,000 times a batch.
    private func isKnown(_ metric: String) -> Bool {
        metricNames.count <= 16 ? metricNames.contains(metric) : metrics[metric] != nil
    }

    private var knownMetrics: String {
        metricNames.isEmpty ? "none (configure `metrics`)" : metricNames.joined(separator: ", ")
    }

    private static func string(_ value: JSONValue, _ field: String, maxLength: Int) throws(FieldError) -> String {
        guard case .string(let text) = value else {
            if value.isNull { throw FieldError(field, "parameter_missing", "required, got null") }
            throw FieldError(field, "parameter_invalid_string", "must be a string, got \(describe(value))")
        }
        guard !text.isEmpty else { throw FieldError(field, "parameter_invalid_string_empty", "must not be empty") }
        guard text.utf8.count <= maxLength else {
            throw FieldError(field, "parameter_invalid_string", "must be at most \(maxLength) bytes, got \(text.utf8.count)")
        }
        return text
    }

    private static func integer(_ value: JSONValue, _ field: String, in bounds: ClosedRange<Int64>, range: String) throws(FieldError) -> Int64 {
        // An integral double (`3.0`, `1e3`) is accepted as some encoders write numbers that way; `1.5` is not.
        guard let integer = value.int64Value, bounds.contains(integer) else {
            if value.isNull { throw FieldError(field, "parameter_missing", "required, got null") }
            throw FieldError(field, "parameter_invalid_integer", "must be \(range), got \(describe(value))")
        }
        return integer
    }

    /// `records[17].quantity`, `records[17]`, `quantity`, or `body`.
    static func path(_ index: Int?, _ field: String?) -> String {
        switch (index, field) {
        case let (index?, field?): return "records[\(index)].\(field)"
        case let (index?, nil): return "records[\(index)]"
        case let (nil, field?): return field
        case (nil, nil): return "body"
        }
    }

    /// A value as an error message shows it: numbers and short strings as they are, containers by kind.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return "\(flag)"
        case .int(let integer): return "\(integer)"
        case .double(let double): return "\(double)"
        case .string(let text): return "the string \(quote(text))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Quoted, cut at 64 characters: error messages echo what was sent, never at any length.
    static func quote(_ text: String) -> String {
        text.count <= 64 ? "\"\(text)\"" : "\"\(text.prefix(64))…\""
    }
}

/// The validated records of one request, and whether it was a batch (`{"records":[…]}`) or a single record.
struct UsageBatch: Sendable {
    var records: [UsageRecordInput]
    var isBatch: Bool
}

/// What is wrong with one field of one record (`field` nil: the record itself).
struct FieldError: Error {
    let field: String?
    let code: String
    let problem: String

    init(_ field: String?, _ code: String, _ problem: String) {
        self.field = field
        self.code = code
        self.problem = problem
    }
}
