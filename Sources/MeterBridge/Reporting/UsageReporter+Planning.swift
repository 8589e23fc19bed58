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
            let planGroup = { (subscriptions: [SubscriptionState]) in
                UsagePlanner.plan(groups[key] ?? [], route: route, subscriptions: subscriptions, now: now, subscriptionGrace: self.configuration.subscriptionGrace)
            }
            var plan = planGroup(states[key.customer] ?? [])
            // Usage about to go out by customer waited the whole grace for a subscription: ask Stripe before sending it.
            if plan.reports.contains(where: { $0.period == nil }), let lookup {
                let found: Int
                do {
                    found = try await lookup.takeIn(customer: key.customer)
                } catch {
                    // Unanswered: the usage waits for the next round's lookup rather than go out by customer unasked.
                    lookup.forget(customer: key.customer)
                    logger.warning("Could not look up a customer's subscriptions; its usage waits", metadata: [
                        "stripe.customer.id": "\(key.customer)", "error": "\(error)",
                    ])
                    plan.reports.removeAll { $0.period == nil }
                    found = 0
                }
                if found > 0 {
                    let subscriptions = try await state.subscriptions(customerID: key.customer).map(SubscriptionStateCodec.decode)
                    states[key.customer] = subscriptions
                    plan = planGroup(subscriptions)
                }
            }
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

    /// Re-reports, once, the usage a mid-cycle price change drops (`RereportPlanner`): Stripe's classic billing mode
    /// bills only usage reported after the change. Planned before pending usage, so a record still waiting at the switch
    /// goes into the re-report rather than out on its own; a round that fails after writing it finds it again.
    func planRereports(_ requests: [(subscriptionID: String, rereport: Rereport)]) async throws -> Int {
        var created = 0
        let now = clock.now.seconds
        for (subscriptionID, request) in requests {
            guard let record = try await state.subscription(id: subscriptionID) else { continue }
            let subscription = try SubscriptionStateCodec.decode(record)
            guard let customer = subscription.customerID, let item = subscription.item(id: request.itemID),
                let route = catalogue.first(where: { $0.value.product == item.productID }).flatMap({ self.route(for: $0.key) })
            else { continue }
            let channel: PlannedReport.Channel = item.mode == .legacy
                ? .usageRecord(subscriptionID: subscriptionID, itemID: item.id, action: route.aggregation == .last ? .set : .increment)
                : .meterEvent(eventName: route.meterEventName ?? route.metric)
            // From a meter window back: usage carried into the period happened before it.
            let usage = try await ledger.recordedUsage(
                customerID: customer, metric: route.metric, from: request.usageFrom - UsagePlanner.meterWindow, to: min(request.switchedAt, now)
            )
            let existing = try await ledger.rereports(customerID: customer, metric: route.metric, periodStart: request.period.start)
            let plan = RereportPlanner.plan(
                request, customerID: customer, route: route, channel: channel, usage: usage,
                existing: existing.map { ($0.timestamp, $0.channel) }, now: now
            )
            guard let report = plan.report else { continue }
            // Released first, then re-reported: should the round stop in between, the next one finds the released
            // records unreported (this action is still pending, and re-reports are planned before pending usage).
            for reportID in plan.release {
                try await ledger.abandonReport(id: reportID, reason: "the item's price changed before delivery; re-reported on the new price")
            }
            created += try await ledger.createReports([report], at: clock.now).count
            logger.info("Usage re-reported on the new price", metadata: [
                "stripe.subscription.id": "\(subscriptionID)", "stripe.subscription_item.id": "\(item.id)", "metric": "\(route.metric)",
                "quantity": "\(report.quantity)", "switched_at": "\(report.timestamp)",
            ])
        }
        return created
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
