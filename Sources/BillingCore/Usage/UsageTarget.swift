/// The subscription item that bills a metric for a customer now, with its current period.
struct UsageTarget {
    var subscriptionID: String
    var item: ItemState
    /// The item's period that contains now (its end as Stripe reported it, or earlier after a cancellation).
    var current: BillingPeriod
    /// Legacy usage is mirrored to the meter while a migration is planned.
    var shadowed: Bool

    /// Where a customer's usage of a metric can go now.
    enum Resolution {
        /// An item with a period open now.
        case item(UsageTarget)
        /// A live subscription carries the metric, but no period is open now (between a boundary and the renewal
        /// that opens the next one): the usage belongs to the next period and waits for it.
        case waiting
        /// No live subscription carries the metric.
        case none
    }

    /// The item of the metric's product with a period open now; the one whose period started last wins
    /// (a replacement item), then the subscription id, so the choice never depends on input order.
    static func find(for route: MetricRoute, in subscriptions: [SubscriptionState], now: Int64) -> Resolution {
        var best: UsageTarget?
        var carried = false
        for state in subscriptions.sorted(by: { $0.subscriptionID < $1.subscriptionID }) {
            for item in state.items where !item.isRemoved && item.productID == route.productID && item.mode != .none {
                if !state.hasEnded { carried = true }
                // A paused or incomplete subscription takes no usage now: it waits (then goes to the period it belongs in).
                if state.holdsUsage { continue }
                guard let period = item.periods.last(where: { $0.state <= .closing }),
                    let effective = state.effectivePeriod(itemID: item.id, start: period.start),
                    effective.start <= now, now < effective.end
                else { continue }
                let candidate = UsageTarget(
                    subscriptionID: state.subscriptionID, item: item, current: effective,
                    shadowed: state.shadowMeters.contains { $0.itemID == item.id && now < $0.until }
                )
                if best.map({ candidate.current.start > $0.current.start }) ?? true { best = candidate }
            }
        }
        if let best { return .item(best) }
        return carried ? .waiting : .none
    }
}
