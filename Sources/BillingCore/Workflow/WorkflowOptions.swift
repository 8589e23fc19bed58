/// What the workflow plays itself in place of the services that feed it live: a rebuild has only the stored events,
/// so it plays the scheduler and the reporter where they acted; the live services and a dry run play neither.
public struct WorkflowOptions: Sendable, Hashable {
    /// Fires, before an event, every armed timer due by the event's `created`: the scheduler fired them live before
    /// the event arrived.
    public var firesTimersDueBeforeEvents: Bool
    /// When a final flush asked for by an input counts as acknowledged right away (the reporter's confirmation).
    public var confirmsFinalFlushes: FinalFlushConfirmation

    /// Which final flushes the workflow confirms itself.
    public enum FinalFlushConfirmation: Sendable, Hashable {
        /// None: the reporter confirms them once Stripe acknowledged them.
        case never
        /// Those of a subscription whose customer has no usage report Stripe has not acknowledged: the reporter's own
        /// rule for confirming, applied to what the store holds.
        case unlessCustomerHasUnsentUsage(Set<String>)
    }

    public init(firesTimersDueBeforeEvents: Bool, confirmsFinalFlushes: FinalFlushConfirmation) {
        self.firesTimersDueBeforeEvents = firesTimersDueBeforeEvents
        self.confirmsFinalFlushes = confirmsFinalFlushes
    }

    /// The processor, the scheduler, the reporter's confirmations, a replay of selected events and its dry run: each
    /// input is exactly what happened, nothing is played in its place.
    public static let live = WorkflowOptions(firesTimersDueBeforeEvents: false, confirmsFinalFlushes: .never)

    /// `replay --rebuild`: timers fire before the events they preceded, and final flushes are confirmed unless the
    /// customer still has usage Stripe has not acknowledged (`customersWithUnsentUsage`).
    public static func rebuild(customersWithUnsentUsage: Set<String>) -> WorkflowOptions {
        WorkflowOptions(firesTimersDueBeforeEvents: true, confirmsFinalFlushes: .unlessCustomerHasUnsentUsage(customersWithUnsentUsage))
    }

    /// Whether a final flush of `state`'s subscription is confirmed as soon as it is asked for.
    func confirmsFinalFlushes(of state: SubscriptionState) -> Bool {
        switch confirmsFinalFlushes {
        case .never: return false
        case .unlessCustomerHasUnsentUsage(let unsent): return state.customerID.map { !unsent.contains($0) } ?? false
        }
    }
}
