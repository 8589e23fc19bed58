/// What an event came to: applied, ignored, or failed with the reason.
public enum EventOutcome: Sendable, Hashable {
    case processed
    /// A type the state machine does not react to, or an event that names no subscription.
    case ignored
    case failed(reason: String)

    /// The outcome of an event that names no subscription (customers, upcoming invoices of none, meter error
    /// reports): nothing in any subscription's state changes. A meter error report counts as processed: readiness and
    /// `status` report it from the inbox.
    public static func withoutSubscription(type: String) -> EventOutcome {
        type == EventType.meterErrorReportTriggered ? .processed : .ignored
    }
}

/// One event's outcome.
public struct EventResult: Sendable, Hashable {
    public var eventID: String
    public var outcome: EventOutcome

    public init(eventID: String, outcome: EventOutcome) {
        self.eventID = eventID
        self.outcome = outcome
    }
}

/// An action the workflow decided, with the Stripe event behind it (nil for timers and confirmations).
public struct WorkflowAction: Sendable, Hashable {
    public var action: BillingAction
    public var eventID: String?

    public init(action: BillingAction, eventID: String?) {
        self.action = action
        self.eventID = eventID
    }
}

/// Everything a run of the workflow decided, in input order, besides the new state: what to commit with it.
public struct WorkflowOutput: Sendable {
    /// Each event's outcome, in input order.
    public internal(set) var events: [EventResult] = []
    /// Every action decided, in order: the machine's, timer changes included (a dry run describes them all), and a
    /// flush for each final flush awaiting confirmation, right after the input that ended its item.
    public internal(set) var actions: [WorkflowAction] = []
    /// Final flushes of items (or of the whole subscription) that ended with these inputs: the reporter confirms each
    /// once Stripe acknowledged the item's usage, and the period then locks.
    public internal(set) var finalFlushesAwaitingConfirmation: [UsageFlush] = []
    /// Timers consumed, by stored id (also those whose id no longer parses: consumed, nothing to apply).
    public internal(set) var firedTimers: [String] = []
    /// Final flushes the workflow confirmed itself (`WorkflowOptions.confirmsFinalFlushes`) that locked a period.
    public internal(set) var finalFlushesConfirmed = 0

    public init() {}

    /// The actions the outbox stores, in order: all but the timer changes, which the state and its timers table hold.
    public var outbox: [WorkflowAction] {
        actions.filter(\.action.isRecordedInOutbox)
    }

    /// The timer changes among the actions, in order (`scheduleTimer` and `cancelTimer`).
    public var timerChanges: [BillingAction] {
        actions.map(\.action).filter { !$0.isRecordedInOutbox }
    }
}

extension BillingAction {
    /// Whether the outbox records the action for the reporter. Timer changes are not recorded: timers are derived
    /// state, stored with the subscription in the same commit.
    public var isRecordedInOutbox: Bool {
        switch self {
        case .scheduleTimer, .cancelTimer: return false
        case .openPeriod, .flush, .switchMode, .rereport, .startShadowMeter, .stopShadowMeter, .lockPeriod, .carryUsage,
            .meterErrorReported, .ambiguousSnapshotTie:
            return true
        }
    }
}
