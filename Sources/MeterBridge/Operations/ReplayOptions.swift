import BillingCore
import BillingStore

/// What `meterbridge replay` re-runs and how (docs/commands.md, `replay`).
public struct ReplayOptions: Sendable {
    /// Which stored events `--status` selects.
    public enum StatusFilter: String, Sendable, CaseIterable {
        /// `failed` and `dead`: events that could not be processed (the default).
        case failed
        /// Events stored but not acted on: after a release that handles more types or routes more events.
        case ignored
        /// Every status, processed ones included (the machine ignores what it has already applied).
        case all

        public var statuses: [EventStatus] {
            switch self {
            case .failed: return [.failed, .dead]
            case .ignored: return [.ignored]
            case .all: return []
            }
        }
    }

    /// Only these event ids (`--event`, repeatable).
    public var eventIDs: [String] = []
    /// Only these types (`--type`, repeatable).
    public var types: [String] = []
    /// `created >= since`, unix seconds.
    public var since: Int64?
    /// `created < until`, unix seconds.
    public var until: Int64?
    public var status: StatusFilter = .failed
    /// Events to import first (`--file`); the events it adds (or repairs) are the ones replayed.
    public var file: EventFile?
    /// Apply to a copy of the state and report, writing nothing.
    public var dryRun = false
    /// Discard derived state and rebuild it from every stored event.
    public var rebuild = false

    public init() {}

    /// The store query of the filters (without `file`).
    var query: EventQuery {
        EventQuery(ids: eventIDs, types: types, statuses: status.statuses, since: since, until: until)
    }

    /// Whether an event read from a file passes the filters other than status (imported events are new).
    func admits(_ event: ReceivedEvent) -> Bool {
        (eventIDs.isEmpty || eventIDs.contains(event.id)) && (types.isEmpty || types.contains(event.type))
            && since.map { event.created >= $0 } ?? true && until.map { event.created < $0 } ?? true
    }
}

/// What a replay did (or, for a dry run, would do): the summary `replay` prints, `--json` for scripts.
public struct ReplaySummary: Codable, Sendable, Equatable {
    /// `replay`, `dry_run`, `rebuild` or `rebuild_dry_run`.
    public var mode: String
    /// Events read from the store (and the file) and considered.
    public var read = 0
    /// Events the state machine applied (`processed`).
    public var applied = 0
    /// Events stored but not acted on (`ignored`: a type the machine does not handle, or no subscription).
    public var ignored = 0
    /// Events that could not be decoded (`failed`, or `dead` once out of attempts).
    public var failed = 0
    /// Events of the file whose id was already stored (left as they were).
    public var skipped = 0
    /// Events of the file stored now.
    public var imported = 0
    /// Failed or dead events of the file whose stored bytes were replaced by the file's copy.
    public var repaired = 0
    /// Subscriptions whose state the replay changed (a rebuild: every subscription rebuilt).
    public var subscriptions = 0
    /// Actions decided (outbox rows; timers not counted).
    public var actions = 0
    /// A rebuild's actions recorded as done (`actions` less those already recorded or kept waiting).
    public var actionsRecordedDone: Int?
    /// Timers a rebuild fired where the scheduler had (before later events, and those due by now).
    public var timersFired: Int?
    /// Final flushes a rebuild confirmed where the reporter had.
    public var finalFlushesConfirmed: Int?
    /// Commits retried because `serve` changed the subscription meanwhile.
    public var retries = 0
    public var elapsedSeconds = 0.0
    /// The first errors of events that failed, for the operator (at most 20).
    public var failures: [Failure] = []

    /// One failed event.
    public struct Failure: Codable, Sendable, Equatable {
        public var id: String
        public var type: String
        public var error: String
    }

    public init(mode: String) {
        self.mode = mode
    }

    mutating func recordFailure(id: String, type: String, error: String) {
        failed += 1
        if failures.count < 20 { failures.append(Failure(id: id, type: type, error: error)) }
    }
}

/// Progress of a long replay: events done out of the total, for the progress bar.
public struct ReplayProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}

/// One event of a dry run: what applying it would change and decide.
public struct ReplayEventReport: Codable, Sendable, Equatable {
    public var id: String
    public var type: String
    public var created: Int64
    public var subscription: String?
    /// `applied`, `ignored`, `failed`, or for a file's events already stored, `skipped`.
    public var outcome: String
    public var error: String?
    /// State changes, one line each: `si_1 period 2026-01-01→02-01 open → ended`.
    public var changes: [String]
    /// Actions, one line each: `flush si_1 2026-01-01→02-01 last_chance`.
    public var actions: [String]
}

/// How a subscription's rebuilt state differs from the stored one (`replay --rebuild --dry-run`).
public struct SubscriptionRebuildReport: Codable, Sendable, Equatable {
    public var subscription: String
    public var changes: [String]
}
