import Foundation
import Yams

/// Reads the config file (YAML or JSON) and the environment into a checked `MeterBridgeConfiguration`.
public enum ConfigurationLoader {
    /// Loads `file` (if any; else `MB_CONFIG` from `environment`), then applies environment overrides.
    /// Throws the first wrong setting, named, so start-up can stop with one clear line.
    public static func load(file: String? = nil, environment: [String: String]) throws(ConfigurationError) -> MeterBridgeConfiguration {
        var values = RawSettings()
        if let path = file ?? environment["MB_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            values = try RawSettings(file: path)
        }
        for setting in ConfigurationKey.all {
            guard let variable = setting.environment, let value = environment[variable], !value.isEmpty else { continue }
            values.scalars[setting.key] = (value, variable)
        }
        return try values.configuration()
    }
}

/// Settings as text, keyed by dotted config key, each with where it came from.
struct RawSettings {
    var scalars: [String: (value: String, source: String)] = [:]
    var metrics: (value: Any, source: String)?

    init() {}

    // Sections whose keys are nested one level in the file (`webhook: {secrets: …}` is `webhook.secrets`).
    private static let sections: Set<String> = ["tls", "webhook", "stripe", "flush", "migration"]

    init(file path: String) throws(ConfigurationError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: "config", source: path, message: "cannot read the config file: \(error.localizedDescription)")
        }
        let document: Any?
        do {
            // JSON is YAML too, so one parser reads both.
            document = try Yams.load(yaml: text)
        } catch {
            throw ConfigurationError(key: "config", source: path, message: "not valid YAML or JSON: \(error)")
        }
        guard let document else { return }
        guard let root = document as? [String: Any] else {
            throw ConfigurationError(key: "config", source: path, message: "the top level must be a mapping of settings")
        }
        for (key, value) in root {
            if key == "metrics" {
                metrics = (value, path)
            } else if Self.sections.contains(key), let section = value as? [String: Any] {
                for (subkey, subvalue) in section { try add("\(key).\(subkey)", subvalue, path) }
            } else {
                try add(key, value, path)
            }
        }
    }

    private mutating func add(_ key: String, _ value: Any, _ path: String) throws(ConfigurationError) {
        guard ConfigurationKey.byKey[key] != nil else {
            let known = ConfigurationKey.all.map(\.key).joined(separator: ", ")
            throw ConfigurationError(key: key, source: path, message: "unknown setting; known settings are \(known)")
        }
        if let list = value as? [Any] {
            scalars[key] = (list.map { "\($0)" }.joined(separator: ","), path)
        } else if value is [String: Any] {
            throw ConfigurationError(key: key, source: path, message: "expected a single value, found a mapping")
        } else {
            scalars[key] = ("\(value)", path)
        }
    }
}
