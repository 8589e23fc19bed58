import ArgumentParser
import BillingCore
import BillingStore
import Foundation
import MeterBridge
import SystemClock

/// `meterbridge replay`: re-run stored events, import events exported from Stripe, or rebuild derived state.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run stored events through the state machine; import events exported from Stripe; rebuild derived state.",
        discussion: """
            By default the failed and dead events are replayed, in Stripe's `created` order per subscription, through the \
            processor's own path: an event that decodes now becomes processed and the actions it implies are carried out \
            by the running service. Safe while `serve` runs (commits retry when serve changed a subscription meanwhile).

            --file imports events first: a single event, a JSON array, a Stripe list object (`stripe events list`, \
            `GET /v1/events`) or JSON lines. Nothing is stored unless the whole file is valid. Ids already stored are \
            skipped and counted, except failed or dead events whose file copy differs: those are repaired (their bytes \
            replaced) and replayed. Imported events carry no Stripe signature (their signature column says "imported"): \
            import only files you exported from Stripe yourself. The events the file adds are the ones replayed.

            --rebuild discards all derived state (subscriptions, timers, actions not yet done) and rebuilds it from every \
            stored event, firing timers where they were due and confirming final flushes where the reporter would have. \
            It never re-sends usage Stripe acknowledged: the usage ledger is not touched and the actions it decides are \
            recorded as done. One transaction: it changes nothing if it fails. Refused while serve runs on the store.

            --dry-run applies everything to copies and prints each event with the state changes and actions it would \
            cause (with --rebuild: how each subscription's rebuilt state differs); the store is opened read-only.

            Exits 1 when an event still fails. A progress bar shows on a terminal (standard error); --json for scripts.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only this event id (repeatable).", valueName: "evt_…"))
    var event: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only this event type (repeatable), e.g. customer.subscription.updated.", valueName: "type"))
    var type: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only events Stripe created at or after this time: unix seconds or YYYY-MM-DD (UTC).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only events Stripe created before this time: unix seconds or YYYY-MM-DD (UTC).", valueName: "time"))
    var until: String?

    @Option(name: .long, help: ArgumentHelp("Which stored events: failed (failed and dead, the default), ignored, or all.", valueName: "status"))
    var status: String = ReplayOptions.StatusFilter.failed.rawValue

    @Option(name: .long, help: ArgumentHelp("Import the events of this file first, then replay them (see above for the formats).", valueName: "file"))
    var file: String?

    @Flag(name: .long, help: "Print what would change, writing nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Discard derived state and rebuild it from every stored event (stop serve first).")
    var rebuild = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard ReplayOptions.StatusFilter(rawValue: status) != nil else {
            throw ValidationError("--status \(status): expected failed, ignored or all")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeArgument.parse(value) == nil {
                throw ValidationError("\(name) \(value): expected unix seconds or a date such as 2026-11-01")
            }
        }
        if rebuild && (!event.isEmpty || !type.isEmpty || since != nil || until != nil || status != ReplayOptions.StatusFilter.failed.rawValue) {
            throw ValidationError("--rebuild replays every stored event: it takes no --event, --type, --since, --until or --status")
        }
        if rebuild && dryRun && file != nil {
            throw ValidationError(
                "--rebuild --dry-run reads the store only: import the file first (replay --file), or dry-run the file without --rebuild"
            )
        }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let logger = global.makeLogger()
        var options = ReplayOptions()
        options.eventIDs = event
        options.types = type
        options.since = since.flatMap(TimeArgument.parse)
        options.until = until.flatMap(TimeArgument.parse)
        options.status = ReplayOptions.StatusFilter(rawValue: status) ?? .failed
        options.dryRun = dryRun
        options.rebuild = rebuild
        if let file { options.file = try Self.read(file) }
        let replayer = Replayer(configuration: configuration, logger: logger)
        let bar = ProgressBar(label: rebuild ? "rebuild" : "replay", enabled: !json && isatty(STDERR_FILENO) == 1)
        if dryRun {
            let database = try await StoreOpener.openForReading(configuration, logger: logger)
            let result: Replayer.DryRunResult
            do {
                result = try await replayer.dryRun(options, reader: database, progress: bar.update)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
            bar.finish()
            print(json ? try Output.json(DryRunOutput(result)) : ReplayReport.text(result))
            if result.summary.failed > 0 { throw ExitCode(1) }
            return
        }
        // Held until the rebuild has committed; the kernel releases it however the process ends.
        let lock = rebuild ? try StoreLock.forRebuild(databasePath: try StoreOpener.sqlitePath(configuration, command: "replay --rebuild")) : nil
        let database = try await StoreOpener.openForReplay(configuration, logger: logger)
        let summary: ReplaySummary
        do {
            summary = try await replayer.run(options, store: database, progress: bar.update)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        withExtendedLifetime(lock) {}
        bar.finish()
        print(json ? try Output.json(summary) : ReplayReport.text(summary))
        if summary.failed > 0 { throw ExitCode(1) }
    }

    /// The events of an export file, validated; a bad file stops here, before anything is stored.
    static func read(_ path: String) throws -> EventFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--file \(path): cannot read the file")
        }
        do {
            return try EventFile.parse([UInt8](data), receivedAt: SystemUnixClock().now)
        } catch {
            throw ValidationError("--file \(path): \(error.description); nothing was imported")
        }
    }
}

/// `--json` of a dry run.
struct DryRunOutput: Encodable {
    var summary: ReplaySummary
    var events: [ReplayEventReport]
    var subscriptions: [SubscriptionRebuildReport]

    init(_ result: Replayer.DryRunResult) {
        summary = result.summary
        events = result.events
        subscriptions = result.subscriptions
    }
}

/// The text `replay` prints.
enum ReplayReport {
    static func text(_ result: Replayer.DryRunResult) -> String {
        var lines: [String] = []
        for event in result.events {
            var head = "\(event.id)  \(event.type)  \(Output.time(event.created))  \(event.subscription ?? "-")  \(event.outcome)"
            if let error = event.error { head += ": \(error)" }
            lines.append(head)
            lines += event.changes.map { "    \($0)" }
            lines += event.actions.map { "    action \($0)" }
            if event.outcome == "applied" && event.changes.isEmpty && event.actions.isEmpty { lines.append("    (no change: the state already reflects it)") }
        }
        for subscription in result.subscriptions {
            lines.append(subscription.subscription)
            lines += subscription.changes.map { "    \($0)" }
        }
        if result.summary.mode == "rebuild_dry_run" && result.subscriptions.isEmpty {
            lines.append("A rebuild would leave every subscription's state as it is.")
        }
        if !lines.isEmpty { lines.append("") }
        lines.append("dry run, nothing written: " + counts(result.summary))
        return lines.joined(separator: "\n")
    }

    static func text(_ summary: ReplaySummary) -> String {
        var lines = ["\(summary.mode == "rebuild" ? "rebuilt" : "replayed"): " + counts(summary)]
        if summary.mode == "rebuild" {
            lines.append(
                "actions recorded as done \(summary.actionsRecordedDone ?? 0), timers fired \(summary.timersFired ?? 0), "
                    + "final flushes confirmed \(summary.finalFlushesConfirmed ?? 0); nothing was sent to Stripe"
            )
        }
        if summary.retries > 0 { lines.append("\(summary.retries) commits retried because serve changed the subscription meanwhile") }
        if !summary.failures.isEmpty {
            lines.append("still failing (see `meterbridge events --status failed --status dead`):")
            lines += summary.failures.map { "  \($0.id)  \($0.type)  \($0.error)" }
        }
        return lines.joined(separator: "\n")
    }

    private static func counts(_ summary: ReplaySummary) -> String {
        var parts = ["events read \(summary.read)", "applied \(summary.applied)", "ignored \(summary.ignored)", "failed \(summary.failed)"]
        if summary.imported + summary.repaired + summary.skipped > 0 {
            parts.append("imported \(summary.imported)")
            parts.append("repaired \(summary.repaired)")
            parts.append("skipped (already stored) \(summary.skipped)")
        }
        parts.append("subscriptions \(summary.subscriptions)")
        parts.append("actions \(summary.actions)")
        parts.append(String(format: "elapsed %.2f s", summary.elapsedSeconds))
        return parts.joined(separator: ", ")
    }
}
