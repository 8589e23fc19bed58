extension SubscriptionState {
    /// The flushes emitted so far, as keys: never emitted twice, whatever the delivery order.
    public var emittedFlushKeys: Set<FlushKey> {
        var keys = Set<FlushKey>()
        for item in items {
            for period in item.periods {
                for reason in period.flushed.reasons {
                    keys.insert(FlushKey(subscriptionID: subscriptionID, itemID: item.id, periodStart: period.start, reason: reason))
                }
            }
        }
        return keys
    }

    /// The period of `itemID` starting at `start`, with its effective end.
    public func effectivePeriod(itemID: String, start: Int64) -> BillingPeriod? {
        guard let item = item(id: itemID), let index = item.periods.firstIndex(where: { $0.start == start }) else { return nil }
        return effectivePeriod(item, at: index)
    }

    /// The period at `index` of `item`, ending where it really ended: at the next period's start
    /// (a reset billing cycle), at the item's removal, or at the subscription's end, if earlier
    /// than the end Stripe reported.
    func effectivePeriod(_ item: ItemState, at index: Int) -> BillingPeriod {
        let period = item.periods[index]
        var end = period.end
        if index + 1 < item.periods.count { end = min(end, item.periods[index + 1].start) }
        if let removedAt = item.removedAt, removedAt > period.start { end = min(end, removedAt) }
        if let endedAt, endedAt > period.start { end = min(end, endedAt) }
        return BillingPeriod(start: period.start, end: end)
    }

    /// Whether the subscription has no more boundaries to prepare: it ended, or its status is final.
    var isOver: Bool {
        guard endedAt == nil else { return true }
        switch status {
        case .canceled?, .incompleteExpired?: return true
        default: return false
        }
    }

    /// Calls `body` with the index pairs of the items' current, usage-based periods that a boundary
    /// at `boundary` closes (the boundary lies in `(start, end]`).
    func forEachCurrentPeriod(closedBy boundary: Int64, _ body: (_ item: Int, _ period: Int) -> Void) {
        for itemIndex in items.indices where !items[itemIndex].isRemoved {
            let periods = items[itemIndex].periods
            guard let last = periods.last, last.state < .ended, last.modes.isUsageBased else { continue }
            if last.start < boundary && boundary <= last.end {
                body(itemIndex, periods.count - 1)
            }
        }
    }
}
