import Foundation

/// A setting's value as the file or the environment gave it, with where it came from.
struct SettingInput {
    /// The shapes a value arrives in: YAML lists stay lists, mappings stay mappings.
    enum Value {
        case text(String)
        case list([String])
        case mapping([String: Any])
    }

    let key: String
    let value: Value
    /// The environment variable or the config file's path.
    let source: String

    init(key: String, value: Value, source: String) {
        self.key = key
        self.value = value
        self.source = source
    }

    /// An error naming this setting and its source.
    func error(_ message: String) -> ConfigurationError {
        ConfigurationError(key: key, source: source, message: message)
    }

    /// The value of a setting that takes one value.
    func text() throws(ConfigurationError) -> String {
        switch value {
        case .text(let text): return text
        case .list: throw error("expected a single value, found a list")
        case .mapping: throw error("expected a single value, found a mapping")
        }
    }

    /// The items of a list setting: a YAML list as it is, or comma-separated text (how an environment variable says it).
    func items() throws(ConfigurationError) -> [String] {
        switch value {
        case .text(let text):
            return text.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
        case .list(let items):
            return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .mapping:
            throw error("expected a list, found a mapping")
        }
    }
}
