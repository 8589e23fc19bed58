/// What the processor must do after the state change commits (state, actions and outbox in one
/// transaction; side effects after: docs/state-machine.md). Actions of one input are in execution order.
public enum BillingAction: Sendable, Hashable {
    /// Create the local period (usage ledger rows) for an item.
    case openPeriod(ItemPeriod)
    /// Arm a timer; an armed timer with the same id is replaced (ids are deterministic).
    case scheduleTimer(BillingTimerID, fireAt: Int64)
    /// Disarm a timer that is no longer needed (its boundary moved or passed).
    case cancelTimer(BillingTimerID)
    /// Report the item's pending usage for the period now; `key` makes the flush idempotent.
    case flush(UsageFlush)
    /// Report the item's usage through another channel from `effectiveAt` on.
    case switchMode(ModeSwitch)
    /// Report the usage Stripe drops at a mid-cycle price change again, once, on the item's new price
    /// (classic billing mode bills only usage reported after the update).
    case rereport(Rereport)
    /// Mirror the item's legacy usage as meter events until the planned switch.
    case startShadowMeter(itemID: String, until: Int64)
    case stopShadowMeter(itemID: String)
    /// The period's invoice is final (or the subscription ended and its final flush was
    /// confirmed): nothing more can be billed in it.
    case lockPeriod(ItemPeriod)
    /// Move usage still pending in `from` into `to` and count it as carried.
    case carryUsage(UsageCarry)
    /// Stripe reported meter event errors; surface them (`/readyz`, metrics).
    case meterErrorReported(MeterErrorReport)
    /// Two snapshots of the same second could not be ordered by their own progress; the machine
    /// kept `keptEventID` (decided by event id). With a Stripe key the processor may fetch the
    /// subscription and apply it as a newer snapshot.
    case ambiguousSnapshotTie(keptEventID: String, otherEventID: String)
}
