/// Every setting meterbridge reads, in one table grouped by component: the loader, the parser, `serve --help` and the
/// documentation tests all read this list, so a setting is declared in exactly one place.
public enum MeterBridgeSettings {
    static let parsed: [any ParsedSetting] =
        StoreSettings.all + ServerSettings.all + WebhookSettings.all + AdminSettings.all + StripeSettings.all + FlushSettings.all
        + MigrationSettings.all + MetricSettings.all

    /// The settings in the order help text lists them.
    public static var all: [any ConfigurationSetting] { parsed }

    static let byKey: [String: any ParsedSetting] = Dictionary(uniqueKeysWithValues: parsed.map { ($0.key, $0) })

    /// Sections of the config file: `webhook: {secrets: …}` is the key `webhook.secrets`.
    static let sections: Set<String> = Set(parsed.compactMap { setting in
        setting.key.firstIndex(of: ".").map { String(setting.key[..<$0]) }
    })

    /// Checks between settings, run once all are applied.
    static func check(_ configuration: MeterBridgeConfiguration) throws(ConfigurationError) {
        try ServerSettings.checkTLSPair(configuration)
    }
}
