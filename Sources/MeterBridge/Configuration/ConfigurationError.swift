/// A setting that stops start-up: which one, where it came from, and what is wrong with it.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config key (`webhook.tolerance`), or the file for errors that concern the whole file.
    public let key: String
    /// Where the value came from: an environment variable, the config file, or nil when it is missing.
    public let source: String?
    public let message: String

    public init(key: String, source: String? = nil, message: String) {
        self.key = key
        self.source = source
        self.message = message
    }

    /// One line, naming the setting: `configuration error: webhook.tolerance (MB_WEBHOOK_TOLERANCE): expected …`.
    public var description: String {
        if let source { return "configuration error: \(key) (\(source)): \(message)" }
        return "configuration error: \(key): \(message)"
    }
}
