/// Decides where pending usage goes and in how many calls (docs/billing-rules.md, "Routing usage" and "Reporting, keys and retries").
///
/// Pure: the reporter passes the usage, the customer's subscription states and the time, and gets back the
/// reports to create. One report per item and period (per customer and meter without a subscription), so the
/// number of Stripe calls does not grow with the number of usage records.
public enum UsagePlanner {
    /// Stripe takes meter events up to 35 days old; a day of margin leaves room for retries.
    public static let meterWindow: Int64 = 34 * 86_400

    /// The reports to create, and the usage that must wait.
    public struct Plan: Sendable, Hashable {
        public var reports: [PlannedReport] = []
        /// Records that cannot be reported yet: legacy usage with no subscription (or between a boundary and the
        /// renewal that opens the next period), meter usage of a product no known subscription has, younger than the
        /// subscription grace; usage timestamped in the future.
        public var held: [String] = []
    }

    /// Plans the pending usage of one customer and one metric.
    ///
    /// - Parameter subscriptionGrace: seconds that usage of a product none of the customer's known subscriptions has
    ///   ever had waits before it is sent as customer-level meter events. A product often sends a new customer's first
    ///   usage before Stripe's `customer.subscription.created` has arrived and been processed; sent at once, that usage
    ///   would bypass the item (and never bill if the item is on a legacy price). Meter events may be 35 days old, so
    ///   waiting is free.
    public static func plan(
        _ pending: [PendingUsage], route: MetricRoute, subscriptions: [SubscriptionState], now: Int64, subscriptionGrace: Int64 = 0
    ) -> Plan {
        var plan = Plan()
        let target: UsageTarget?
        switch UsageTarget.find(for: route, in: subscriptions, now: now) {
        case .item(let found):
            target = found
        case .waiting:
            plan.held = pending.map(\.id)
            return plan
        case .none:
            target = nil
        }
        // The grace only covers a product no known subscription has ever had: a subscription or item still on its way.
        // Usage after an item was removed or its subscription ended goes out at once, as before.
        let grace = subscriptions.contains { $0.items.contains { $0.productID == route.productID } } ? 0 : subscriptionGrace
        var groups: [GroupKey: [PendingUsage]] = [:]
        for usage in pending {
            guard usage.timestamp <= now else {
                plan.held.append(usage.id)
                continue
            }
            guard let key = group(for: usage, target: target, route: route, now: now, subscriptionGrace: grace) else {
                plan.held.append(usage.id)
                continue
            }
            groups[key, default: []].append(usage)
        }
        for key in groups.keys.sorted() {
            let usages = groups[key] ?? []
            let report = report(for: key, usages, target: target, route: route, now: now)
            plan.reports.append(report)
            if let shadow = shadow(of: report, target: target, route: route) { plan.reports.append(shadow) }
        }
        return plan
    }

    /// Where one record goes: its target period (or none), and whether it must be carried; nil to hold it.
    static func group(for usage: PendingUsage, target: UsageTarget?, route: MetricRoute, now: Int64, subscriptionGrace: Int64) -> GroupKey? {
        guard let target else {
            // No subscription item carries the metric: meters need no subscription, usage records do. Young usage
            // waits for a subscription that may still be on its way.
            guard route.meterEventName != nil, usage.timestamp <= now - subscriptionGrace else { return nil }
            let fresh = usage.timestamp >= now - meterWindow
            return GroupKey(periodStart: nil, carried: !fresh)
        }
        if usage.timestamp >= target.current.start {
            return GroupKey(periodStart: target.current.start, carried: false)
        }
        // Usage from before the current period. Meter events with a timestamp in an earlier period are still
        // billed there until its invoice is finalized, if that period was billed through the meter: until the
        // invoice's `automatically_finalizes_at` when the draft states it, even before `invoice.finalized` arrives;
        // never in a period the subscription was paused in (a paused subscription generates no invoice).
        // Legacy usage records must lie in the current period: Stripe refuses back-dated ones, so the usage is carried.
        if target.item.mode == .meter, usage.timestamp >= now - meterWindow,
            let earlier = target.item.periods.last(where: { $0.start <= usage.timestamp && usage.timestamp < $0.end }),
            earlier.state < .locked, earlier.modes.contains(.meter), earlier.finalizesAt.map({ now < $0 }) ?? true, earlier.sawPause != true
        {
            return GroupKey(periodStart: earlier.start, carried: false)
        }
        return GroupKey(periodStart: target.current.start, carried: true)
    }

    static func report(for key: GroupKey, _ usages: [PendingUsage], target: UsageTarget?, route: MetricRoute, now: Int64) -> PlannedReport {
        let latest = usages.max { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }!
        let quantity = route.aggregation == .sum ? usages.reduce(0) { $0 + $1.quantity } : latest.quantity
        var timestamp = min(latest.timestamp, now)
        let channel: PlannedReport.Channel
        var period: BillingPeriod?
        if let target {
            let local = target.item.periods.first { $0.start == key.periodStart }
            period = local.map { BillingPeriod(start: $0.start, end: $0.end) } ?? target.current
            if key.carried {
                // Carried usage is stamped in the current period. A `last` value carried from an earlier period is older
                // than any value of this one, so it goes at the period's start, where a newer value still wins.
                timestamp = route.aggregation == .last ? target.current.start : now
            }
            // After a re-reported mid-cycle price change the new price bills only usage stamped from the switch on.
            if let billsFrom = (local ?? target.item.periods.last)?.billsFrom { timestamp = min(max(timestamp, billsFrom), now) }
            if target.item.mode == .legacy {
                // The catalogue decides increment or set: basil payloads no longer carry `aggregate_usage`, so the
                // price alone cannot tell; the metric's aggregation must match the price's (sum or last_during_period).
                let action: UsageRecordAction = route.aggregation == .last ? .set : .increment
                channel = .usageRecord(subscriptionID: target.subscriptionID, itemID: target.item.id, action: action)
            } else {
                channel = .meterEvent(eventName: route.meterEventName ?? route.metric)
            }
        } else {
            channel = .meterEvent(eventName: route.meterEventName ?? route.metric)
            if key.carried { timestamp = now }
        }
        return PlannedReport(
            channel: channel, purpose: .usage, customerID: latest.customerID, metric: route.metric, period: period,
            quantity: quantity, timestamp: timestamp, carried: key.carried, recordIDs: usages.map(\.id).sorted()
        )
    }

    /// While a schedule plans the move to a meter, legacy usage is mirrored to the meter (not billed yet) so the
    /// two summaries can be compared before the switch.
    static func shadow(of report: PlannedReport, target: UsageTarget?, route: MetricRoute) -> PlannedReport? {
        guard let target, target.shadowed, case .usageRecord = report.channel, let eventName = route.meterEventName else { return nil }
        var shadow = report
        shadow.channel = .meterEvent(eventName: eventName)
        shadow.purpose = .shadow
        shadow.mirroredRecordIDs = report.recordIDs
        shadow.recordIDs = []
        return shadow
    }

    /// Usage that goes into one report: a period of the target item (nil without one), carried or not.
    struct GroupKey: Hashable, Comparable {
        var periodStart: Int64?
        var carried: Bool

        static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
            (lhs.periodStart ?? .min, lhs.carried ? 1 : 0) < (rhs.periodStart ?? .min, rhs.carried ? 1 : 0)
        }
    }
}
