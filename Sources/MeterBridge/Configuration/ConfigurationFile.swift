import Foundation
import Yams

/// A config file (YAML or JSON) read into one input per setting, values in the shape the file gives them.
enum ConfigurationFile {
    static func read(_ path: String) throws(ConfigurationError) -> [String: SettingInput] {
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
        guard let document else { return [:] }
        guard let root = document as? [String: Any] else {
            throw ConfigurationError(key: "config", source: path, message: "the top level must be a mapping of settings")
        }
        var inputs: [String: SettingInput] = [:]
        try collect(root, prefix: "", path: path, into: &inputs)
        return inputs
    }

    private static func collect(_ mapping: [String: Any], prefix: String, path: String, into inputs: inout [String: SettingInput]) throws(ConfigurationError) {
        for (name, value) in mapping {
            let key = prefix + name
            if MeterBridgeSettings.byKey[key] != nil {
                inputs[key] = SettingInput(key: key, value: shape(value), source: path)
            } else if MeterBridgeSettings.sections.contains(key), let section = value as? [String: Any] {
                try collect(section, prefix: key + ".", path: path, into: &inputs)
            } else {
                let known = MeterBridgeSettings.parsed.map(\.key).joined(separator: ", ")
                throw ConfigurationError(key: key, source: path, message: "unknown setting; known settings are \(known)")
            }
        }
    }

    // Scalars become text as YAML wrote them (`120`, `true`); each setting parses its own.
    private static func shape(_ value: Any) -> SettingInput.Value {
        if let list = value as? [Any] { return .list(list.map { "\($0)" }) }
        if let mapping = value as? [String: Any] { return .mapping(mapping) }
        return .text("\(value)")
    }
}
