/// One setting, declared once: its config key, the environment variable that overrides it, its default, the values
/// it takes, a one-line description, and whether it is a secret. The loader, the parser and every help text read it.
public struct Setting<Value: Sendable>: ParsedSetting {
    public let key: String
    public let environment: String?
    public let defaultValue: Value
    public let values: String
    public let summary: String
    public let isSecret: Bool
    let target: SettingTarget<Value>
    let parse: @Sendable (SettingInput) throws(ConfigurationError) -> Value
    let show: @Sendable (Value) -> String?

    /// - Parameters:
    ///   - values: the type and range a reader sees in help text (`seconds, 1 to 86400`).
    ///   - show: the default as a reader would write it; nil when there is none.
    init(
        _ key: String, environment: String?, default defaultValue: Value, values: String, summary: String, secret: Bool = false,
        at target: SettingTarget<Value>,
        parse: @escaping @Sendable (SettingInput) throws(ConfigurationError) -> Value,
        show: @escaping @Sendable (Value) -> String?
    ) {
        self.key = key
        self.environment = environment
        self.defaultValue = defaultValue
        self.values = values
        self.summary = summary
        self.isSecret = secret
        self.target = target
        self.parse = parse
        self.show = show
    }

    public var defaultText: String? { show(defaultValue) }

    func apply(_ input: SettingInput, to configuration: inout MeterBridgeConfiguration) throws(ConfigurationError) {
        configuration[keyPath: target] = try parse(input)
    }
}

/// What the loader and the help texts need of a setting, whatever its value type.
public protocol ConfigurationSetting: Sendable {
    /// The dotted config-file key (`webhook.tolerance`).
    var key: String { get }
    /// The environment variable that overrides the file (`MB_WEBHOOK_TOLERANCE`); nil when there is none.
    var environment: String? { get }
    /// The default as written in a config file; nil when the setting has none.
    var defaultText: String? { get }
    /// The type and range of its values, for help text.
    var values: String { get }
    /// What the setting does, in one line.
    var summary: String { get }
    /// A secret is never echoed in errors or logs.
    var isSecret: Bool { get }
}

/// A setting the loader can apply: parse its input and store the value.
protocol ParsedSetting: ConfigurationSetting {
    /// Parses `input` and stores the value in `configuration`; a wrong value throws, naming the key and its source.
    func apply(_ input: SettingInput, to configuration: inout MeterBridgeConfiguration) throws(ConfigurationError)
}

/// Where a setting's value goes in the configuration; Sendable, so a setting can live in a static table.
typealias SettingTarget<Value> = any WritableKeyPath<MeterBridgeConfiguration, Value> & Sendable
