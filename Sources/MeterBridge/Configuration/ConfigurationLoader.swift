/// Reads the config file (YAML or JSON) and the environment into a checked `MeterBridgeConfiguration`.
public enum ConfigurationLoader {
    /// Loads `file` (if any; else `MB_CONFIG` from `environment`), then applies environment overrides.
    /// Throws the first wrong setting, named, so start-up can stop with one clear line.
    public static func load(file: String? = nil, environment: [String: String]) throws(ConfigurationError) -> MeterBridgeConfiguration {
        var inputs: [String: SettingInput] = [:]
        if let path = file ?? environment["MB_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            inputs = try ConfigurationFile.read(path)
        }
        for setting in MeterBridgeSettings.parsed {
            guard let variable = setting.environment, let value = environment[variable], !value.isEmpty else { continue }
            inputs[setting.key] = SettingInput(key: setting.key, value: .text(value), source: variable)
        }
        var configuration = MeterBridgeConfiguration()
        for setting in MeterBridgeSettings.parsed {
            guard let input = inputs[setting.key] else { continue }
            try setting.apply(input, to: &configuration)
        }
        try MeterBridgeSettings.check(configuration)
        return configuration
    }
}
