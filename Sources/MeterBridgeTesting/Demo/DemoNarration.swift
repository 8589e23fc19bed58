import BillingCore
import BillingStore
import Foundation
import MeterBridge

/// Puts what meterbridge did between two snapshots into words: the reports it sent, and the changes to its local
/// state of the subscription (modes, periods, planned switches, shadow meters, timers).
struct DemoNarration {
    let story: DemoStory

    /// Everything that changed from `before` to `after`, joined; `fallback` when nothing did.
    func describe(from before: DemoSnapshot, to after: DemoSnapshot, outcome: FlushOutcome?, fallback: String) -> String {
        var parts: [String] = []
        if let fired = outcome?.timersFired, fired > 0 { parts.append("\(count(fired, "timer")) fired") }
        parts += stateChanges(from: before.subscription, to: after.subscription)
        let known = Set(before.reports.map(\.id))
        let created = after.reports.filter { !known.contains($0.id) }
        if !created.isEmpty { parts.append("sent " + reports(created)) }
        let wasDead = Set(before.reports.filter { $0.status == .dead }.map(\.id))
        let givenUp = after.reports.filter { $0.status == .dead && !wasDead.contains($0.id) }
        if !givenUp.isEmpty {
            parts.append("gave up \(count(givenUp.count, "report")): \(givenUp.compactMap(\.lastError).first ?? "no reason given")")
        }
        let stillPending = after.reports.filter { $0.status == .pending }.count
        if stillPending > 0 { parts.append("\(count(stillPending, "report")) still pending") }
        if let outcome, outcome.faults > 0 || outcome.failed > 0 {
            parts.append("retried through \(count(outcome.faults, "injected failure")) (same idempotency keys)")
        }
        return parts.isEmpty ? fallback : parts.joined(separator: "; ")
    }

    /// "1 usage record (412 units) + 1 shadow meter event (412 units)".
    func reports(_ rows: [UsageReportRow]) -> String {
        // Carried usage is its own group: it is the late usage Stripe would otherwise refuse or drop.
        var groups: [(label: String, carried: Bool, rows: [UsageReportRow])] = []
        for row in rows {
            let label = kind(of: row)
            if let index = groups.firstIndex(where: { $0.label == label && $0.carried == row.carried }) {
                groups[index].rows.append(row)
            } else {
                groups.append((label, row.carried, [row]))
            }
        }
        return groups.map { group in
            let units = group.rows.reduce(0) { $0 + $1.quantity }
            let period = story.periodNumber(containing: group.rows[0].timestamp).map { "period \($0)" } ?? "no period"
            let carried = group.carried ? ", late usage carried into \(period)" : ""
            return "\(count(group.rows.count, group.label)) (\(units) units\(carried))"
        }.joined(separator: " + ")
    }

    private func kind(of row: UsageReportRow) -> String {
        switch (row.channel, row.purpose) {
        case (.usageRecord, .rereport): return "re-reported usage record"
        case (.usageRecord, _): return "usage record"
        case (.meterEvent, .shadow): return "shadow meter event"
        case (.meterEvent, .rereport): return "re-reported meter event"
        case (.meterEvent, .usage): return "meter event"
        }
    }

    /// The changes to the local subscription state, in words.
    func stateChanges(from before: SubscriptionView?, to after: SubscriptionView?) -> [String] {
        guard let after else { return [] }
        var parts: [String] = []
        if before == nil { parts.append("tracks \(after.id) of \(after.customer ?? "an unknown customer")") }
        if let before, before.status != after.status, let status = after.status { parts.append("subscription \(status)") }
        if after.cancelAtPeriodEnd, before?.cancelAtPeriodEnd != true {
            let end = after.items.first?.periods.last?.end
            parts.append("cancellation noted for the period end" + (end.map { " (\(DemoTime.format($0)))" } ?? ""))
        }
        for item in after.items {
            let old = before?.items.first { $0.id == item.id }
            if old == nil {
                parts.append("\(item.id) reports via \(Self.channel(item.mode))")
            } else if let old, old.mode != item.mode {
                parts.append("\(item.id) switches reporting to \(Self.channel(item.mode))")
            }
            for period in item.periods {
                let oldState = old?.periods.first { $0.start == period.start }?.state
                guard oldState != period.state else { continue }
                let name = story.periodNumber(containing: period.start).map { "period \($0)" } ?? "period from \(DemoTime.format(period.start))"
                parts.append("\(name) \(period.state)")
            }
        }
        for transition in after.plannedTransitions where !(before?.plannedTransitions.contains(transition) ?? false) {
            let from = "\(transition.fromPrice ?? "?") (\(transition.fromMode ?? "?"))"
            parts.append("plans \(from) → \(transition.toPrice) (\(transition.toMode ?? "?")) at \(DemoTime.format(transition.effectiveAt))")
        }
        for shadow in after.shadowMeters where !(before?.shadowMeters.contains(shadow) ?? false) {
            parts.append("mirrors \(shadow.item) to the meter (shadow events, not billed) until \(DemoTime.format(shadow.until))")
        }
        if let before, !before.shadowMeters.isEmpty, after.shadowMeters.isEmpty { parts.append("shadow meter events stop") }
        let newTimers = after.timers.filter { timer in !(before?.timers.contains { $0.id == timer.id } ?? false) }
        if !newTimers.isEmpty {
            parts.append("flush timers at " + DemoTime.list(newTimers.map(\.fireAt)))
        }
        return parts
    }

    /// How an item's usage reaches Stripe in a mode.
    static func channel(_ mode: String) -> String {
        switch mode {
        case "legacy": return "usage records (legacy)"
        case "meter": return "meter events"
        default: return "nothing (licensed)"
        }
    }

    private func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
}

/// Simulated times as the timeline prints them: `2026-01-31 23:55:00` (UTC).
public enum DemoTime {
    public static func format(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Several times in order, the date only where it changes: `2026-01-31 23:55:00 and 23:59:50`.
    static func list(_ times: [Int64]) -> String {
        var previousDay = ""
        return times.sorted().map { time in
            let text = format(time)
            let day = String(text.prefix(10))
            defer { previousDay = day }
            return day == previousDay ? String(text.dropFirst(11)) : text
        }.joined(separator: " and ")
    }
}
