import ArgumentParser
import Foundation
import Logging
import MeterBridge

/// Options every command that reads the configuration shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Config file, YAML or JSON (default: $MB_CONFIG).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Store location, overriding MB_DATABASE_URL: sqlite:PATH or postgres://…", valueName: "url"))
    var databaseURL: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical (default: $MB_LOG_LEVEL, else info for serve and warning for the other commands).", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// The configuration from the file and environment, with command-line overrides applied.
    func loadConfiguration() throws -> MeterBridgeConfiguration {
        var environment = ProcessInfo.processInfo.environment
        if let databaseURL { environment["MB_DATABASE_URL"] = databaseURL }
        return try ConfigurationLoader.load(file: config, environment: environment)
    }

    /// A logger for this run; bootstraps swift-log once per process, writing greppable `key=value` lines to stderr.
    /// - Parameter defaultLevel: `serve` logs its lifecycle at info; one-shot commands keep stderr for what matters.
    func makeLogger(label: String = "meterbridge", defaultLevel: Logger.Level = .warning) -> Logger {
        let requested = logLevel ?? ProcessInfo.processInfo.environment["MB_LOG_LEVEL"]
        let level = requested.flatMap { Logger.Level(rawValue: $0) } ?? defaultLevel
        LoggingBootstrap.once()
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// swift-log may be bootstrapped only once per process.
enum LoggingBootstrap {
    private static let done: Void = {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }()

    static func once() {
        _ = done
    }
}
