import ArgumentParser
import BillingStore
import Foundation
import MeterBridge

/// `meterbridge events`: the inbox, with each event's processing status and error.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List stored events with their processing status and error.",
        discussion: """
            Oldest first, the newest --limit events of the selection. Statuses: pending (waiting for the processor), \
            processed, ignored (stored, nothing to do: an unhandled type or no subscription), failed (retried with \
            backoff; ERROR says why) and dead (out of attempts; ERROR says why: fix the cause, then \
            `meterbridge replay`). Imported events (replay --file) carry no Stripe signature. Times are Stripe's \
            `created`, UTC. A table on a terminal; --json for scripts (every field, the error included).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Only this event type (repeatable), e.g. invoice.created.")
    var type: [String] = []

    @Option(name: .long, help: "Only this status (repeatable): pending, processed, ignored, failed, dead.")
    var status: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only events Stripe created at or after this time: unix seconds or YYYY-MM-DD.", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only events Stripe created before this time: unix seconds or YYYY-MM-DD.", valueName: "time"))
    var until: String?

    @Option(name: .long, help: "Only this event id (repeatable).")
    var event: [String] = []

    @Option(name: .long, help: "At most this many events (the newest).")
    var limit: Int = 100

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        for value in status where EventStatus(rawValue: value) == nil {
            throw ValidationError("--status \(value): expected one of \(EventStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let since, TimeArgument.parse(since) == nil {
            throw ValidationError("--since \(since): expected unix seconds or a date such as 2026-11-01")
        }
        if let until, TimeArgument.parse(until) == nil {
            throw ValidationError("--until \(until): expected unix seconds or a date such as 2026-11-01")
        }
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let database = try await StoreOpener.open(configuration, logger: global.makeLogger())
        let query = EventQuery(
            ids: event, types: type, statuses: status.compactMap(EventStatus.init), since: since.flatMap(TimeArgument.parse),
            until: until.flatMap(TimeArgument.parse)
        )
        // The store lists oldest first; keep the newest `limit`.
        let events = Array(try await database.events(query).suffix(limit))
        await database.close()
        let rows = events.map(EventRow.init)
        if json || !Output.isTerminal {
            print(try Output.json(rows))
        } else if rows.isEmpty {
            print("No stored events match.")
        } else {
            print(Output.table(
                headers: ["ID", "TYPE", "CREATED", "STATUS", "ATTEMPTS", "ERROR"],
                rows: rows.map { [$0.id, $0.type, Output.time($0.created), $0.status, "\($0.attempts)", $0.error ?? ""] }
            ))
        }
    }
}

/// One event as `events` prints it.
struct EventRow: Encodable {
    let id: String
    let type: String
    let created: Int64
    let livemode: Bool
    let apiVersion: String?
    let subscription: String?
    let status: String
    let attempts: Int
    let error: String?
    let receivedAtMs: Int64

    init(_ stored: StoredEvent) {
        id = stored.id
        type = stored.type
        created = stored.created
        livemode = stored.event.livemode
        apiVersion = stored.event.apiVersion
        subscription = stored.event.subscriptionID
        status = stored.status.rawValue
        attempts = stored.attempts
        error = stored.lastError
        receivedAtMs = stored.event.receivedAt
    }
}

/// Times on the command line: unix seconds or a UTC date.
enum TimeArgument {
    static func parse(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        }
        return nil
    }
}
