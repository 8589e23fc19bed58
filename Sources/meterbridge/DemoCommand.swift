import ArgumentParser
import Foundation
import Logging
import MeterBridgeTesting

/// `meterbridge demo`: the whole billing story end to end, in one process, on a temporary store and a Stripe double.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a subscription through a legacy → meter migration, end to end, against a local Stripe API double.",
        discussion: """
            meterbridge's real HTTP routes, processor, scheduler, reporter and Stripe client run in this process on a \
            temporary SQLite file and a simulated clock: usage on a legacy metered price, a schedule moving it to a \
            meter price at the renewal, boundary flushes, late usage carried, then cancellation at period end. Prints the \
            timeline and, per period, the usage recorded against what Stripe bills. Exits 1 when a period does not balance.
            """
    )

    @Flag(help: "Print JSON instead of the timeline and table (the default when standard output is not a terminal).")
    var json = false

    @Flag(help: "Keep the temporary directory with the SQLite file, and print its path.")
    var keep = false

    @Option(help: "Seed of the usage amounts (and of the injected faults); the same seed gives the same run.")
    var seed: UInt64 = 1

    @Flag(help: "Let the Stripe double fail calls at random (429, 500, dropped connections) to show nothing is lost.")
    var faults = false

    @Option(name: .long, help: ArgumentHelp("Show meterbridge's logs on standard error at this level (default: none).", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let result = try await DemoRun.run(DemoOptions(seed: seed, faults: faults, keepDirectory: keep, logger: logger()))
        if json || !Output.isTerminal {
            print(try Output.json(result))
        } else {
            print(DemoReport.text(result))
        }
        guard result.balanced else {
            FileHandle.standardError.write(Data("demo: NOT BALANCED — \(DemoReport.failures(result).joined(separator: "; "))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Silent unless `--log-level` asks for meterbridge's own log lines.
    private func logger() -> Logger? {
        guard let logLevel, let level = Logger.Level(rawValue: logLevel) else { return nil }
        LoggingBootstrap.once()
        var logger = Logger(label: "meterbridge.demo")
        logger.logLevel = level
        return logger
    }
}

/// The demo's result as a person reads it: the timeline, then one table row per period.
enum DemoReport {
    static func text(_ result: DemoResult) -> String {
        var lines = ["meterbridge demo — seed \(result.seed)\(result.faults ? ", with injected Stripe faults" : ""); times are simulated (UTC)", ""]
        let width = result.timeline.map(\.happened.count).max() ?? 0
        for step in result.timeline {
            lines.append("\(step.at)  \(step.happened.padding(toLength: width, withPad: " ", startingAt: 0))  →  \(step.meterbridge)")
        }
        let rows = result.periods.map { period in
            [
                "\(period.period)  \(Output.time(period.start).prefix(10)) → \(Output.time(period.end).prefix(10))", "\(period.recorded)",
                "\(period.usageRecords)", "\(period.meterEvents)", "\(period.shadowMeterEvents)", "\(period.carried)",
                period.balanced ? "yes" : "NO",
            ]
        }
        lines += ["", Output.table(
            headers: ["PERIOD", "RECORDED", "USAGE RECORDS", "METER EVENTS", "SHADOW (NOT BILLED)", "CARRIED IN", "BALANCED"], rows: rows
        )]
        lines.append("recorded = usage meterbridge took in for the period, late usage carried into it included; balanced = recorded equals")
        lines.append("usage records + meter events Stripe bills. Shadow events mirror legacy usage once the switch is planned; they are not billed.")
        lines.append("")
        lines.append("posted \(result.posted) units, Stripe bills \(result.billed); \(result.stripeCalls) Stripe calls, "
            + "\(result.injectedFaults) failed on purpose by the double")
        lines += result.problems.map { "problem: \($0)" }
        if let directory = result.directory { lines.append("kept: \(directory)") }
        lines.append(result.balanced ? "every period balances" : "NOT BALANCED")
        return lines.joined(separator: "\n")
    }

    /// Why the run does not balance, one phrase per reason.
    static func failures(_ result: DemoResult) -> [String] {
        result.periods.filter { !$0.balanced }.map { "period \($0.period): recorded \($0.recorded), billed \($0.billed)" } + result.problems
    }
}
