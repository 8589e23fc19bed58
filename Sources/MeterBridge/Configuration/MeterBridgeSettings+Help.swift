/// The table as text for `serve --help`: every setting with its environment variable, default and values.
extension MeterBridgeSettings {
    public static var helpText: String {
        var lines = ["Settings: config key, environment variable (which overrides the file), default, values."]
        for setting in all {
            let environment = setting.environment ?? "no environment variable"
            let secret = setting.isSecret ? "; secret, never logged" : ""
            lines.append("  \(setting.key), \(environment), default \(setting.defaultText ?? "none") (\(setting.values)\(secret))")
            lines.append("      \(setting.summary)")
        }
        lines.append("Also: MB_CONFIG (the config file, when --config is not given) and MB_LOG_LEVEL (as --log-level).")
        return lines.joined(separator: "\n")
    }
}
