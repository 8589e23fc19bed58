import BillingCore
import BillingStore
import Foundation

/// A `BillingAction` as the outbox stores it: a kind for queries, and the action's fields as JSON.
struct ActionRecord: Codable, Equatable, Sendable {
    var kind: String
    var itemID: String?
    var periodStart: Int64?
    var periodEnd: Int64?
    var flushKey: String?
    var reason: String?
    var fromMode: String?
    var toMode: String?
    var effectiveAt: Int64?
    var replacedItemID: String?
    var toItemID: String?
    var toPeriodStart: Int64?
    var toPeriodEnd: Int64?
    var until: Int64?
    var detail: String?

    /// The record of `action`, or nil for actions that need no carrying out (timers live in the timers table).
    init?(_ action: BillingAction) {
        switch action {
        case .scheduleTimer, .cancelTimer:
            // Timers are derived state, stored with the subscription in the same commit.
            return nil
        case .openPeriod(let period):
            self.init(kind: "open_period", period)
        case .flush(let flush):
            self.init(kind: "flush", ItemPeriod(itemID: flush.itemID, period: flush.period))
            flushKey = flush.key.description
            reason = flush.reason.rawValue
        case .switchMode(let change):
            self.init(kind: "switch_mode")
            itemID = change.itemID
            fromMode = change.from.rawValue
            toMode = change.to.rawValue
            effectiveAt = change.effectiveAt
            replacedItemID = change.replacedItemID
        case .rereport(let period):
            self.init(kind: "rereport", period)
        case .startShadowMeter(let item, let until):
            self.init(kind: "start_shadow_meter")
            itemID = item
            self.until = until
        case .stopShadowMeter(let item):
            self.init(kind: "stop_shadow_meter")
            itemID = item
        case .lockPeriod(let period):
            self.init(kind: "lock_period", period)
        case .carryUsage(let carry):
            self.init(kind: "carry_usage", carry.from)
            toItemID = carry.to.itemID
            toPeriodStart = carry.to.period.start
            toPeriodEnd = carry.to.period.end
        case .meterErrorReported(let report):
            self.init(kind: "meter_error_reported")
            detail = "event \(report.eventID) meter \(report.meterID ?? "unknown")"
        case .ambiguousSnapshotTie(let kept, let other):
            self.init(kind: "ambiguous_snapshot_tie")
            detail = "kept \(kept) over \(other)"
        }
    }

    private init(kind: String, _ period: ItemPeriod? = nil) {
        self.kind = kind
        itemID = period?.itemID
        periodStart = period?.period.start
        periodEnd = period?.period.end
    }

    /// The outbox row for this action.
    func outbox(subscriptionID: String, eventID: String?, at: Int64) -> OutboxAction {
        OutboxAction(subscriptionID: subscriptionID, eventID: eventID, kind: kind, payload: Self.encode(self), createdAt: at)
    }

    static func decode(_ bytes: [UInt8]) throws -> ActionRecord {
        try JSONDecoder().decode(ActionRecord.self, from: Data(bytes))
    }

    private static func encode(_ record: ActionRecord) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of strings and integers cannot fail.
        return (try? [UInt8](encoder.encode(record))) ?? []
    }
}
