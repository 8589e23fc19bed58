extension BillingStateMachine {
    /// The mode switches and re-reports of the newest snapshot's boundary price changes and item replacements.
    ///
    /// In Stripe's classic billing mode a metered item bills only usage reported after its price changed, so a change
    /// in the middle of a period re-reports the usage Stripe drops on the new price (when `midcycleRereport` is on).
    /// Three shapes of change: a new price on the same item; an item added on the product of an item removed in the same update or earlier
    /// in the period, and an item removed while another item on its product was added before.
    /// A switch that coincides with a new period (a schedule phase at the renewal, Stripe's migration guide) starts
    /// from an empty period: no re-report.
    mutating func emitSwitches(
        _ snapshot: SubscriptionSnapshot,
        changes: [(itemID: String, change: ItemState.PriceChange)],
        added: [String],
        removed: [String],
        into actions: inout [BillingAction]
    ) {
        let at = snapshot.created
        for (itemID, change) in changes {
            guard let item = state.item(id: itemID), let current = item.periods.last else { continue }
            let atBoundary = current.start > (change.latestStart ?? Int64.min)
            if change.mode != item.mode {
                let effectiveAt = atBoundary ? current.start : at
                actions.append(.switchMode(ModeSwitch(itemID: itemID, productID: item.productID, from: change.mode, to: item.mode, effectiveAt: effectiveAt)))
            }
            if !atBoundary { rereport(itemID: itemID, usageFrom: current.start, switchedAt: at, billedFrom: at, replacing: nil, into: &actions) }
        }
        for itemID in added {
            guard let item = state.item(id: itemID), let product = item.productID,
                let replaced = replacedItem(onProduct: product, by: itemID, removedNow: removed, at: at)
            else { continue }
            emitReplacement(of: replaced, by: item, switchedAt: at, billedFrom: at, into: &actions)
        }
        // The new item came first and the old one leaves now: the old item's usage of the period is dropped.
        for removedID in removed {
            guard let old = state.item(id: removedID), let product = old.productID,
                let successor = state.items.last(where: { $0.productID == product && !$0.isRemoved && $0.mode != .none && !added.contains($0.id) })
            else { continue }
            emitReplacement(of: old, by: successor, switchedAt: at, billedFrom: max(successor.firstSeenAt ?? at, old.periods.last?.start ?? at), into: &actions)
        }
    }

    /// The item a newly listed one replaces: on the same product, removed by this update or earlier in a period that
    /// was still running when the new item arrived.
    private func replacedItem(onProduct product: String, by newID: String, removedNow: [String], at: Int64) -> ItemState? {
        let candidates = state.items.filter { item in
            guard item.id != newID, item.productID == product, item.isRemoved, let last = item.periods.last else { return false }
            if removedNow.contains(item.id) { return true }
            guard let removedAt = item.removedAt else { return false }
            return removedAt <= at && at < last.end
        }
        return candidates.max { ($0.removedAt ?? .min, $0.id) < ($1.removedAt ?? .min, $1.id) }
    }

    /// The switch of a product from `old` to `new`, and its re-report unless it falls on a boundary.
    private mutating func emitReplacement(
        of old: ItemState, by new: ItemState, switchedAt: Int64, billedFrom: Int64, into actions: inout [BillingAction]
    ) {
        guard let current = new.periods.last else { return }
        if let index = state.itemIndex(new.id) { state.items[index].inheritLatestValue(from: old) }
        let atBoundary = current.start >= (old.periods.last?.end ?? Int64.max)
        if old.mode != new.mode {
            actions.append(
                .switchMode(
                    ModeSwitch(
                        itemID: new.id, productID: new.productID, from: old.mode, to: new.mode, effectiveAt: atBoundary ? current.start : switchedAt,
                        replacedItemID: old.id))
            )
        }
        guard !atBoundary else { return }
        // The new item's own period may begin at its creation: the usage dropped starts with the old item's period.
        let usageFrom = min(current.start, old.periods.last?.start ?? current.start)
        rereport(itemID: new.id, usageFrom: usageFrom, switchedAt: switchedAt, billedFrom: billedFrom, replacing: old.id, into: &actions)
    }

    /// Re-reports the usage the old price drops on the item's new price, when configured and usage-based.
    private mutating func rereport(
        itemID: String, usageFrom: Int64, switchedAt: Int64, billedFrom: Int64, replacing: String?, into actions: inout [BillingAction]
    ) {
        guard configuration.midcycleRereport, state.dropsUsageBeforeMidCycleSwitch, let index = state.itemIndex(itemID), state.items[index].mode != .none,
            let last = state.items[index].periods.indices.last
        else { return }
        let period = state.effectivePeriod(state.items[index], at: last)
        guard period.start <= switchedAt, switchedAt < period.end else { return }
        actions.append(
            .rereport(Rereport(itemID: itemID, period: period, usageFrom: usageFrom, switchedAt: switchedAt, billedFrom: billedFrom, replacedItemID: replacing)))
    }
}
