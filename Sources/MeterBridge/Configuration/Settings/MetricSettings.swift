/// The metric catalogue: which Stripe product and meter each usage metric bills through. A file-only setting.
enum MetricSettings {
    static let catalogue = Setting<[String: MetricDefinition]>(
        "metrics", environment: nil, default: [:], values: "a mapping (config file only)",
        summary: "metric name → product (prod_…), meter_event_name (optional), aggregation (sum or last; default sum)",
        at: \.metrics, parse: definitions, show: { _ in nil }
    )

    static let all: [any ParsedSetting] = [catalogue]

    private static let fields = ["product", "meter_event_name", "aggregation"]

    private static func definitions(_ input: SettingInput) throws(ConfigurationError) -> [String: MetricDefinition] {
        guard case .mapping(let entries) = input.value else {
            throw input.error("expected a mapping of metric name to {product, meter_event_name, aggregation}")
        }
        var catalogue: [String: MetricDefinition] = [:]
        for (name, entry) in entries {
            let key = "\(input.key).\(name)"
            func failure(_ field: String?, _ message: String) -> ConfigurationError {
                ConfigurationError(key: field.map { "\(key).\($0)" } ?? key, source: input.source, message: message)
            }
            guard let values = entry as? [String: Any] else { throw failure(nil, "expected a mapping with product, meter_event_name and aggregation") }
            for field in values.keys where !fields.contains(field) {
                throw failure(field, "unknown field; expected product, meter_event_name or aggregation")
            }
            guard let product = values["product"] as? String, product.hasPrefix("prod_") else {
                throw failure("product", "expected the Stripe product id (prod_…) of the metric's prices")
            }
            let aggregationText = (values["aggregation"] as? String) ?? "sum"
            guard let aggregation = MetricDefinition.Aggregation(rawValue: aggregationText) else {
                throw failure("aggregation", "expected sum or last, got '\(aggregationText)'")
            }
            catalogue[name] = MetricDefinition(product: product, meterEventName: values["meter_event_name"] as? String, aggregation: aggregation)
        }
        return catalogue
    }
}
