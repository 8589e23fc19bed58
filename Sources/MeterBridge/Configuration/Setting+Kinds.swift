import Foundation

// The kinds of value settings take. Each builds its parser and its help text from the same range or choices,
// so an error message and `--help` cannot disagree about what is allowed.

extension Setting where Value: FixedWidthInteger {
    /// A whole number within `range`; `unit` (seconds, bytes…) is what help text calls it.
    static func integer(
        _ key: String, environment: String, default defaultValue: Value, in range: ClosedRange<Value>, unit: String, summary: String,
        at target: SettingTarget<Value>
    ) -> Setting {
        Setting(
            key, environment: environment, default: defaultValue, values: "\(unit), \(range.lowerBound) to \(range.upperBound)",
            summary: summary, at: target,
            parse: { (input: SettingInput) throws(ConfigurationError) -> Value in
                let text = try input.text()
                guard let value = Value(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                    throw input.error("expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
                }
                return value
            },
            show: { "\($0)" }
        )
    }
}

extension Setting where Value == Bool {
    /// `true`/`false` (also `yes`/`no`, `on`/`off`, `1`/`0`, as environment variables often say it).
    static func boolean(
        _ key: String, environment: String, default defaultValue: Bool, summary: String,
        at target: SettingTarget<Bool>
    ) -> Setting {
        Setting(
            key, environment: environment, default: defaultValue, values: "true or false", summary: summary, at: target,
            parse: { (input: SettingInput) throws(ConfigurationError) -> Bool in
                let text = try input.text()
                switch text.lowercased() {
                case "true", "1", "yes", "on": return true
                case "false", "0", "no", "off": return false
                default: throw input.error("expected true or false, got '\(text)'")
                }
            },
            show: { "\($0)" }
        )
    }
}

extension Setting where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enumeration's raw values, case-insensitively.
    static func choice(
        _ key: String, environment: String, default defaultValue: Value, summary: String,
        at target: SettingTarget<Value>
    ) -> Setting {
        let names = Value.allCases.map(\.rawValue)
        return Setting(
            key, environment: environment, default: defaultValue,
            values: names.dropLast().joined(separator: ", ") + " or " + (names.last ?? ""), summary: summary, at: target,
            parse: { (input: SettingInput) throws(ConfigurationError) -> Value in
                let text = try input.text()
                guard let value = Value(rawValue: text.lowercased()) else {
                    throw input.error("expected one of \(names.joined(separator: ", ")), got '\(text)'")
                }
                return value
            },
            show: { $0.rawValue }
        )
    }
}

extension Setting where Value == String? {
    /// Text without a default; `check` refuses a wrong value. A secret's errors never quote it.
    static func optionalText(
        _ key: String, environment: String, values: String, summary: String, secret: Bool = false,
        at target: SettingTarget<String?>,
        check: @escaping @Sendable (String, SettingInput) throws(ConfigurationError) -> Void = { _, _ in }
    ) -> Setting {
        Setting(
            key, environment: environment, default: nil, values: values, summary: summary, secret: secret, at: target,
            parse: { (input: SettingInput) throws(ConfigurationError) -> String? in
                let text = try input.text()
                try check(text, input)
                return text
            },
            show: { $0 }
        )
    }
}

extension Setting where Value == String {
    /// A Stripe API version such as `2025-02-24.acacia` (older ones have no name: `2020-08-27`); `check` may refuse more.
    static func stripeVersion(
        _ key: String, environment: String, default defaultValue: String, summary: String,
        at target: SettingTarget<String>,
        check: @escaping @Sendable (String, SettingInput) throws(ConfigurationError) -> Void = { _, _ in }
    ) -> Setting {
        Setting(
            key, environment: environment, default: defaultValue, values: "a Stripe API version", summary: summary, at: target,
            parse: { (input: SettingInput) throws(ConfigurationError) -> String in
                let text = try input.text()
                let date = text.prefix(10)
                guard date.count == 10, date.allSatisfy({ $0.isNumber || $0 == "-" }) else {
                    throw input.error("expected a Stripe API version such as 2025-02-24.acacia, got '\(text)'")
                }
                try check(text, input)
                return text
            },
            show: { $0 }
        )
    }
}
