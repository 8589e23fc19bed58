import BillingCore
import Foundation

/// Human-readable lines for what a replay changes: state differences and decided actions (`replay --dry-run`).
enum StateDiff {
    /// The differences from `before` to `after`, one line each, items and periods in id and start order.
    static func lines(from before: SubscriptionState, to after: SubscriptionState) -> [String] {
        var lines: [String] = []
        let id = after.subscriptionID
        if before.watermark == nil && after.watermark != nil && before.items.isEmpty {
            lines.append("\(id) new (customer \(after.customerID ?? "?"), status \(after.status?.rawValue ?? "?"))")
        } else {
            if before.status != after.status {
                lines.append("\(id) status \(before.status?.rawValue ?? "none") → \(after.status?.rawValue ?? "none")")
            }
            if before.customerID != after.customerID {
                lines.append("\(id) customer \(before.customerID ?? "none") → \(after.customerID ?? "none")")
            }
        }
        if before.cancelAtPeriodEnd != after.cancelAtPeriodEnd {
            lines.append("\(id) cancel_at_period_end \(before.cancelAtPeriodEnd) → \(after.cancelAtPeriodEnd)")
        }
        if before.cancelAt != after.cancelAt { lines.append("\(id) cancel_at \(time(before.cancelAt)) → \(time(after.cancelAt))") }
        if before.endedAt != after.endedAt { lines.append("\(id) ended_at \(time(before.endedAt)) → \(time(after.endedAt))") }
        for item in after.items {
            guard let old = before.item(id: item.id) else {
                lines.append("\(item.id) new item \(item.priceID) (\(item.mode.rawValue))")
                for period in item.periods { lines.append("\(item.id) period \(label(period.reported)) new (\(period.state.rawValue))") }
                continue
            }
            if old.priceID != item.priceID { lines.append("\(item.id) price \(old.priceID) → \(item.priceID)") }
            if old.mode != item.mode { lines.append("\(item.id) mode \(old.mode.rawValue) → \(item.mode.rawValue)") }
            if !old.isRemoved && item.isRemoved { lines.append("\(item.id) removed\(item.removedAt.map { " at \(time($0))" } ?? "")") }
            for period in item.periods {
                guard let previous = old.period(startingAt: period.start) else {
                    lines.append("\(item.id) period \(label(period.reported)) new (\(period.state.rawValue))")
                    continue
                }
                let name = "\(item.id) period \(label(period.reported))"
                if previous.end != period.end { lines.append("\(name) end \(time(previous.end)) → \(time(period.end))") }
                if previous.state != period.state { lines.append("\(name) \(previous.state.rawValue) → \(period.state.rawValue)") }
                let flushed = period.flushed.reasons.filter { !previous.flushed.contains($0) }
                if !flushed.isEmpty { lines.append("\(name) flushed \(flushed.map(\.rawValue).joined(separator: ", "))") }
                if !previous.carried && period.carried { lines.append("\(name) leftovers carried") }
                if previous.invoiceID != period.invoiceID, let invoice = period.invoiceID { lines.append("\(name) invoice \(invoice)") }
            }
        }
        for item in before.items where after.item(id: item.id) == nil { lines.append("\(item.id) gone") }
        let plannedBefore = Set(before.plannedTransitions.map(describe))
        let plannedAfter = Set(after.plannedTransitions.map(describe))
        for line in plannedAfter.subtracting(plannedBefore).sorted() { lines.append("planned \(line)") }
        for line in plannedBefore.subtracting(plannedAfter).sorted() { lines.append("no longer planned \(line)") }
        for shadow in after.shadowMeters where !before.shadowMeters.contains(shadow) {
            lines.append("\(shadow.itemID) shadow meter until \(time(shadow.until))")
        }
        for shadow in before.shadowMeters where !after.shadowMeters.contains(where: { $0.itemID == shadow.itemID }) {
            lines.append("\(shadow.itemID) shadow meter stopped")
        }
        let timersBefore = Set(before.timers)
        let timersAfter = Set(after.timers)
        for timer in after.timers where !timersBefore.contains(timer) { lines.append("timer \(timer.kind.rawValue) armed for \(time(timer.fireAt))") }
        for timer in before.timers where !timersAfter.contains(timer) {
            lines.append("timer \(timer.kind.rawValue) at \(time(timer.fireAt)) disarmed")
        }
        return lines
    }

    /// One action as a line: `flush si_1 2026-01-01→02-01 last_chance`.
    static func describe(_ action: BillingAction) -> String {
        switch action {
        case .openPeriod(let period): return "open_period \(period.itemID) \(label(period.period))"
        case .scheduleTimer(let id, let fireAt): return "schedule_timer \(id.kind.rawValue) at \(time(fireAt))"
        case .cancelTimer(let id): return "cancel_timer \(id.kind.rawValue) for \(time(id.boundary))"
        case .flush(let flush): return "flush \(flush.itemID) \(label(flush.period)) \(flush.reason.rawValue)"
        case .switchMode(let change):
            let replaced = change.replacedItemID.map { " replacing \($0)" } ?? ""
            return "switch_mode \(change.itemID) \(change.from.rawValue) → \(change.to.rawValue) from \(time(change.effectiveAt))\(replaced)"
        case .rereport(let rereport):
            let replaced = rereport.replacedItemID.map { " replacing \($0)" } ?? ""
            return "rereport \(rereport.itemID) \(label(rereport.period)) usage before \(time(rereport.switchedAt))\(replaced)"
        case .startShadowMeter(let item, let until): return "start_shadow_meter \(item) until \(time(until))"
        case .stopShadowMeter(let item): return "stop_shadow_meter \(item)"
        case .lockPeriod(let period): return "lock_period \(period.itemID) \(label(period.period))"
        case .carryUsage(let carry):
            return "carry_usage \(carry.from.itemID) \(label(carry.from.period)) → \(carry.to.itemID) \(label(carry.to.period))"
        case .meterErrorReported(let report): return "meter_error_reported \(report.meterID ?? "unknown meter") (\(report.eventID))"
        case .ambiguousSnapshotTie(let kept, let other): return "ambiguous_snapshot_tie kept \(kept) over \(other)"
        }
    }

    private static func describe(_ transition: PlannedTransition) -> String {
        "\(transition.fromPriceID ?? "?") → \(transition.toPriceID) at \(time(transition.effectiveAt))"
            + (transition.itemID.map { " on \($0)" } ?? "")
    }

    /// `2026-01-01→02-01`, or with the year of the end when it differs, and times when the bounds are not midnights.
    static func label(_ period: BillingPeriod) -> String {
        let start = components(period.start)
        let end = components(period.end)
        let showTime = period.start % 86_400 != 0 || period.end % 86_400 != 0
        let startText = "\(start.date)" + (showTime ? " \(start.time)" : "")
        let endDate = start.date.prefix(4) == end.date.prefix(4) ? String(end.date.dropFirst(5)) : end.date
        return "\(startText)→\(endDate)" + (showTime ? " \(end.time)" : "")
    }

    /// `2026-01-01 00:00:00Z`, `-` for none.
    static func time(_ seconds: Int64?) -> String {
        guard let seconds else { return "-" }
        let parts = components(seconds)
        return "\(parts.date) \(parts.time)Z"
    }

    private static func components(_ seconds: Int64) -> (date: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        func two(_ value: Int?) -> String { let text = String(value ?? 0); return text.count < 2 ? "0" + text : text }
        let date = "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day))"
        return (date, "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))")
    }
}
