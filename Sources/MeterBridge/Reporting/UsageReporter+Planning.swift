import BillingCore
import BillingStore
import Logging
import Foundation

extension UsageReporter {
    /// Plans unreported usage (all customers, or `customers`) into report rows; returns how many were created.
    func planPendingUsage(customers: Set<String>?) async throws -> Int {
        var created = 0
        var cursor: PendingUsage?
        var window: [CustomerMetric: [PendingUsage]] = [:]
        var gathered = 0
        while true {
            // The store gives pending usage in arrival order, not grouped by customer: a window gathers pages until
            // it holds everything pending or `planningWindow` records, so a customer's metric is planned in one piece.
            let limit = min(configuration.batchSize, configuration.planningWindow - gathered)
            let page = try await ledger.unreportedUsage(after: cursor, limit: limit)
            cursor = page.last ?? cursor
            for usage in page where customers?.contains(usage.customerID) ?? true {
                window[CustomerMetric(customer: usage.customerID, metric: usage.metric), default: []].append(usage)
                gathered += 1
            }
            let exhausted = page.count < limit
            if exhausted || gathered >= configuration.planningWindow {
                created += try await plan(window)
                window.removeAll()
                gathered = 0
            }
            if exhausted { return created }
        }
    }

    /// Plans a window of unreported usage, grouped by customer and metric, into report rows.
    private func plan(_ groups: [CustomerMetric: [PendingUsage]]) async throws -> Int {
        let now = clock.now.seconds
        var states: [String: [SubscriptionState]] = [:]
        var planned: [PlannedReport] = []
        for key in groups.keys.sorted() {
            guard let route = route(for: key.metric) else { continue }
            if states[key.customer] == nil {
                states[key.customer] = try await state.subscriptions(customerID: key.customer).map(SubscriptionStateCodec.decode)
            }
            let plan = UsagePlanner.plan(
                groups[key] ?? [], route: route, subscriptions: states[key.customer] ?? [], now: now, subscriptionGrace: configuration.subscriptionGrace
            )
            planned += plan.reports
        }
        guard !planned.isEmpty else { return 0 }
        let rows = try await ledger.createReports(planned, at: clock.now)
        for row in rows where row.purpose == .usage {
            if row.carried { metrics.increment("meterbridge_usage_carried_total", [("metric", row.metric)], by: row.quantity) }
        }
        logger.debug("Usage planned", metadata: ["reports": "\(rows.count)"])
        return rows.count
    }

    /// Re-reports period-to-date usage on an item's new price after a mid-cycle switch: Stripe bills only
    /// usage reported after the price changed.
    func planRereports(_ requests: [SubscriptionItemPeriod]) async throws -> Int {
        var planned: [PlannedReport] = []
        let now = clock.now.seconds
        for request in requests {
            guard let record = try await state.subscription(id: request.subscriptionID) else { continue }
            let subscription = try SubscriptionStateCodec.decode(record)
            guard let customer = subscription.customerID, let item = subscription.item(id: request.itemID),
                let route = catalogue.first(where: { $0.value.product == item.productID }).flatMap({ self.route(for: $0.key) })
            else { continue }
            // Legacy reports still waiting would be refused now that the price moved: give them up, so their usage
            // goes out through the new channel with the rest of the pending usage.
            for pending in try await ledger.pendingLegacyReports(itemID: item.id) {
                try await ledger.abandonReport(id: pending.id, reason: "the item's price changed before delivery; usage reported on the new price")
            }
            let total = try await ledger.legacyReportedTotal(
                customerID: customer, metric: route.metric, itemID: item.id, from: request.periodStart, to: now + 1
            )
            guard total > 0 else { continue }
            let channel: PlannedReport.Channel = item.mode == .legacy
                ? .usageRecord(subscriptionID: subscription.subscriptionID, itemID: item.id, action: item.usageAction ?? .increment)
                : .meterEvent(eventName: route.meterEventName ?? route.metric)
            planned.append(PlannedReport(
                channel: channel, purpose: .rereport, customerID: customer, metric: route.metric,
                period: item.period(startingAt: request.periodStart).map { BillingPeriod(start: $0.start, end: $0.end) },
                quantity: total, timestamp: now, carried: false, recordIDs: []
            ))
        }
        guard !planned.isEmpty else { return 0 }
        return try await ledger.createReports(planned, at: clock.now).count
    }

    /// The catalogue entry of `metric` as the planner needs it; nil (and logged) for a metric no longer configured.
    func route(for metric: String) -> MetricRoute? {
        guard let definition = catalogue[metric] else {
            logger.warning("Usage for a metric not in the catalogue is kept unreported", metadata: ["metric": "\(metric)"])
            return nil
        }
        return MetricRoute(
            metric: metric, productID: definition.product, meterEventName: definition.meterEventName,
            aggregation: definition.aggregation == .last ? .last : .sum
        )
    }
}

/// Usage of one customer's metric.
struct CustomerMetric: Hashable, Comparable {
    var customer: String
    var metric: String

    static func < (lhs: CustomerMetric, rhs: CustomerMetric) -> Bool { (lhs.customer, lhs.metric) < (rhs.customer, rhs.metric) }
}
