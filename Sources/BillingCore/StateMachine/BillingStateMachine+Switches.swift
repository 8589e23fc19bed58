extension BillingStateMachine {
    /// The mode switches and re-reports of the newest snapshot's price changes.
    ///
    /// Stripe bills a metered item only for usage reported after its price changed, so a switch in
    /// the middle of a period re-reports the period-to-date usage on the new price (when
    /// `midcycleRereport` is on). A switch that coincides with a new period (a schedule phase at the
    /// renewal, Stripe's migration guide) starts from an empty period: no re-report.
    mutating func emitSwitches(
        _ snapshot: SubscriptionSnapshot,
        changes: [(itemID: String, change: ItemState.PriceChange)],
        added: [String],
        removed: [String],
        into actions: inout [BillingAction]
    ) {
        for (itemID, change) in changes {
            guard let item = state.item(id: itemID), let current = item.periods.last else { continue }
            let atBoundary = current.start > (change.latestStart ?? Int64.min)
            let effectiveAt = atBoundary ? current.start : snapshot.created
            if change.mode != item.mode {
                actions.append(
                    .switchMode(ModeSwitch(itemID: itemID, productID: item.productID, from: change.mode, to: item.mode, effectiveAt: effectiveAt)))
            }
            if !atBoundary { rereport(item, into: &actions) }
        }
        // A new item on the product of a removed one replaces it (the handbuilt basil story: the
        // schedule swaps the legacy item for a new item on the meter price).
        for itemID in added {
            guard let item = state.item(id: itemID), let product = item.productID, let current = item.periods.last else { continue }
            guard let replacedID = removed.first(where: { state.item(id: $0)?.productID == product }),
                let replaced = state.item(id: replacedID)
            else { continue }
            let atBoundary = current.start >= (replaced.periods.last?.end ?? Int64.max)
            let effectiveAt = atBoundary ? current.start : snapshot.created
            if replaced.mode != item.mode {
                actions.append(
                    .switchMode(
                        ModeSwitch(
                            itemID: itemID, productID: product, from: replaced.mode, to: item.mode, effectiveAt: effectiveAt,
                            replacedItemID: replacedID))
                )
            }
            if !atBoundary { rereport(item, into: &actions) }
        }
    }

    /// Re-reports the item's current period on its new price, when configured and usage-based.
    private func rereport(_ item: ItemState, into actions: inout [BillingAction]) {
        guard configuration.midcycleRereport, state.dropsUsageBeforeMidCycleSwitch, item.mode != .none, !item.periods.isEmpty else { return }
        actions.append(.rereport(ItemPeriod(itemID: item.id, period: state.effectivePeriod(item, at: item.periods.count - 1))))
    }
}
