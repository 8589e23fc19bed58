import Foundation

/// Turns text settings into typed ones, naming the key and its source in every error.
extension RawSettings {
    func configuration() throws(ConfigurationError) -> MeterBridgeConfiguration {
        var config = MeterBridgeConfiguration()
        if let (url, source) = scalars["database_url"] { config.database = try database(url, source) }
        if let (listen, source) = scalars["listen"] { config.listen = try address(listen, source) }
        switch (scalars["tls.cert"], scalars["tls.key"]) {
        case (nil, nil):
            break
        case (let cert?, let key?):
            config.tls = TLSFiles(certificatePath: cert.value, privateKeyPath: key.value)
        case (_?, nil):
            throw ConfigurationError(key: "tls.key", message: "tls.cert is set but tls.key is not; set both for HTTPS (MB_TLS_CERT, MB_TLS_KEY)")
        case (nil, _?):
            throw ConfigurationError(key: "tls.cert", message: "tls.key is set but tls.cert is not; set both for HTTPS (MB_TLS_CERT, MB_TLS_KEY)")
        }
        if let (text, source) = scalars["webhook.secrets"] {
            let secrets = text.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
            for secret in secrets where !secret.hasPrefix("whsec_") {
                // Never echo the value: it is a secret.
                throw ConfigurationError(key: "webhook.secrets", source: source, message: "each secret must be an endpoint signing secret starting with whsec_ (one does not)")
            }
            config.webhook.secrets = secrets
        }
        config.webhook.tolerance = try integer("webhook.tolerance", in: 1...86_400) ?? config.webhook.tolerance
        config.webhook.bodyLimit = Int(try integer("webhook.body_limit", in: 1024...(64 * 1024 * 1024)) ?? Int64(config.webhook.bodyLimit))
        config.webhook.livemode = try choice("webhook.livemode") ?? config.webhook.livemode
        config.webhook.headerTimeout = try integer("webhook.header_timeout", in: 1...3600) ?? config.webhook.headerTimeout
        config.webhook.idleTimeout = try integer("webhook.idle_timeout", in: 1...86_400) ?? config.webhook.idleTimeout
        config.webhook.bodyTimeout = try integer("webhook.body_timeout", in: 1...3600) ?? config.webhook.bodyTimeout
        config.adminToken = scalars["admin_token"]?.value
        if let (key, source) = scalars["stripe.api_key"] {
            guard key.hasPrefix("sk_") || key.hasPrefix("rk_") else {
                throw ConfigurationError(key: "stripe.api_key", source: source, message: "expected a secret (sk_…) or restricted (rk_…) API key")
            }
            config.stripe.apiKey = key
        }
        if let (base, source) = scalars["stripe.api_base"] {
            guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
                throw ConfigurationError(key: "stripe.api_base", source: source, message: "expected an http:// or https:// URL, got '\(base)'")
            }
            config.stripe.apiBase = base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        config.stripe.versionLegacy = try version("stripe.version_legacy") ?? config.stripe.versionLegacy
        // Legacy usage records were removed in 2025-03-31.basil: a later version would make every report fail.
        if config.stripe.versionLegacy.prefix(10) >= "2025-03-31", let (text, source) = scalars["stripe.version_legacy"] {
            throw ConfigurationError(key: "stripe.version_legacy", source: source,
                                     message: "usage records do not exist from 2025-03-31.basil on; use 2025-02-24.acacia or earlier, got '\(text)'")
        }
        config.stripe.versionMeter = try version("stripe.version_meter") ?? config.stripe.versionMeter
        config.stripe.rateLimit = Int(try integer("stripe.rate_limit", in: 1...10_000) ?? Int64(config.stripe.rateLimit))
        config.flush.interval = try integer("flush.interval", in: 1...86_400) ?? config.flush.interval
        config.flush.boundaryLead = try integer("flush.boundary_lead", in: 0...86_400) ?? config.flush.boundaryLead
        config.flush.subscriptionGrace = try integer("flush.subscription_grace", in: 0...86_400) ?? config.flush.subscriptionGrace
        config.flush.planningWindow = Int(try integer("flush.planning_window", in: 1...10_000_000) ?? Int64(config.flush.planningWindow))
        config.migration.shadowMeter = try boolean("migration.shadow_meter") ?? config.migration.shadowMeter
        config.migration.midcycleRereport = try boolean("migration.midcycle_rereport") ?? config.migration.midcycleRereport
        if let metrics { config.metrics = try catalogue(metrics.value, metrics.source) }
        return config
    }

    private func database(_ url: String, _ source: String) throws(ConfigurationError) -> DatabaseLocation {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            // Accept the URL form `sqlite:///abs/path` as well as `sqlite:relative/path`.
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else {
                throw ConfigurationError(key: "database_url", source: source, message: "sqlite: needs a file path, e.g. sqlite:meterbridge.sqlite")
            }
            return .sqlite(path: path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        throw ConfigurationError(key: "database_url", source: source, message: "expected sqlite:PATH or postgres://user:pass@host:port/db")
    }

    private func address(_ text: String, _ source: String) throws(ConfigurationError) -> ListenAddress {
        let failure = ConfigurationError(key: "listen", source: source, message: "expected host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:443, got '\(text)'")
        guard let colon = text.lastIndex(of: ":") else { throw failure }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { throw failure }
        return ListenAddress(host: host, port: port)
    }

    private func integer(_ key: String, in range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64? {
        guard let (text, source) = scalars[key] else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw ConfigurationError(key: key, source: source, message: "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    private func boolean(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let (text, source) = scalars[key] else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(key: key, source: source, message: "expected true or false, got '\(text)'")
        }
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(_ key: String) throws(ConfigurationError) -> Choice? where Choice.RawValue == String {
        guard let (text, source) = scalars[key] else { return nil }
        guard let value = Choice(rawValue: text.lowercased()) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(key: key, source: source, message: "expected one of \(allowed), got '\(text)'")
        }
        return value
    }

    private func version(_ key: String) throws(ConfigurationError) -> String? {
        guard let (text, source) = scalars[key] else { return nil }
        // Stripe API versions look like 2025-02-24.acacia (older ones have no name: 2020-08-27).
        let date = text.prefix(10)
        guard date.count == 10, date.allSatisfy({ $0.isNumber || $0 == "-" }) else {
            throw ConfigurationError(key: key, source: source, message: "expected a Stripe API version such as 2025-02-24.acacia, got '\(text)'")
        }
        return text
    }

    private func catalogue(_ value: Any, _ source: String) throws(ConfigurationError) -> [String: MetricDefinition] {
        guard let entries = value as? [String: Any] else {
            throw ConfigurationError(key: "metrics", source: source, message: "expected a mapping of metric name to {product, meter_event_name, aggregation}")
        }
        var catalogue: [String: MetricDefinition] = [:]
        for (name, entry) in entries {
            let key = "metrics.\(name)"
            guard let fields = entry as? [String: Any] else {
                throw ConfigurationError(key: key, source: source, message: "expected a mapping with product, meter_event_name and aggregation")
            }
            for field in fields.keys where !["product", "meter_event_name", "aggregation"].contains(field) {
                throw ConfigurationError(key: "\(key).\(field)", source: source, message: "unknown field; expected product, meter_event_name or aggregation")
            }
            guard let product = fields["product"] as? String, product.hasPrefix("prod_") else {
                throw ConfigurationError(key: "\(key).product", source: source, message: "expected the Stripe product id (prod_…) of the metric's prices")
            }
            let aggregationText = (fields["aggregation"] as? String) ?? "sum"
            guard let aggregation = MetricDefinition.Aggregation(rawValue: aggregationText) else {
                throw ConfigurationError(key: "\(key).aggregation", source: source, message: "expected sum or last, got '\(aggregationText)'")
            }
            let meterEventName = fields["meter_event_name"] as? String
            catalogue[name] = MetricDefinition(product: product, meterEventName: meterEventName, aggregation: aggregation)
        }
        return catalogue
    }
}
