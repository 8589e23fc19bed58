extension BillingStateMachine {
    /// Merges a subscription snapshot and, when it is the newest, emits the mode switches and
    /// re-reports its price changes imply. Returns false when it cannot change anything.
    mutating func mergeSubscription(_ snapshot: SubscriptionSnapshot, into actions: inout [BillingAction]) -> Bool {
        let subscription = snapshot.subscription
        guard subscription.id == state.subscriptionID else {
            preconditionFailure("Invalid state: snapshot of \(subscription.id) routed to the machine of \(state.subscriptionID)")
        }
        let key = SnapshotKey(snapshot)
        // A redelivery of the snapshot applied last: nothing new.
        if key == state.watermark { return false }
        // Older than the retained history (several finalized renewals ago): what it could tell has
        // been pruned. Stripe retries for 3 days at most, so only a replay produces this.
        if let horizon = state.horizon, snapshot.created < horizon { return false }

        let isNewest = state.watermark.map { key > $0 } ?? true
        if let watermark = state.watermark, key.isAmbiguousTie(with: watermark) {
            // Same second, same period, status and cancel flag: decided by event id, flagged for a fetch.
            actions.append(.ambiguousSnapshotTie(keptEventID: max(key, watermark).eventID, otherEventID: min(key, watermark).eventID))
        }

        // The moment before this update (previous_attributes) is history: it reveals periods and
        // items (a removed one included) even when their own events were never seen.
        let previousItems = snapshot.previousItems ?? (snapshot.previousPeriod != nil ? subscription.items : nil)
        for item in previousItems ?? [] {
            let period = item.currentPeriod ?? snapshot.previousPeriod ?? subscription.period(for: item)
            _ = observe(item, period: period, key: key.previousView, paused: false, into: &actions)
        }

        var changes: [(itemID: String, change: ItemState.PriceChange)] = []
        var added: [String] = []
        for item in subscription.items {
            switch observe(item, period: subscription.period(for: item), key: key, paused: subscription.status == .paused, into: &actions) {
            case .added: added.append(item.id)
            case .changed(let change): changes.append((item.id, change))
            case .unchanged: break
            }
        }

        // Items a complete listing no longer has were removed (Stripe never reuses an item id).
        var removed: [String] = []
        if !subscription.itemsHaveMore {
            for index in state.items.indices where state.items[index].seen < key {
                let itemID = state.items[index].id
                guard !subscription.items.contains(where: { $0.id == itemID }) else { continue }
                // The removing update lists the item in previous_attributes: when and which period was its last.
                if let before = snapshot.previousItems?.first(where: { $0.id == itemID }) {
                    let lastPeriod = before.currentPeriod ?? snapshot.previousPeriod ?? subscription.period(for: before)
                    let removal = ItemRemoval(at: snapshot.created, lastPeriodStart: lastPeriod?.start)
                    if state.items[index].removal.map({ removal < $0 }) ?? true { removed.append(itemID) }
                    state.items[index].markRemoved(by: removal)
                } else {
                    state.items[index].markRemoved()
                }
            }
        }
        if isNewest {
            adoptFields(of: snapshot, key: key)
            emitSwitches(snapshot, changes: changes, added: added, removed: removed, into: &actions)
        }
        markItemsMissingFromWatermark()
        return true
    }

    /// What observing one item did.
    enum ItemObservation {
        case added
        case changed(ItemState.PriceChange)
        case unchanged
    }

    /// Merges one listed item: its price (last writer wins on the snapshot key) and its period (`paused` when the snapshot
    /// listing it says the subscription is paused).
    private mutating func observe(
        _ item: SubscriptionItem, period: BillingPeriod?, key: SnapshotKey, paused: Bool, into actions: inout [BillingAction]
    ) -> ItemObservation {
        var observation = ItemObservation.unchanged
        let index: Int
        if let known = state.itemIndex(item.id) {
            index = known
            if let change = state.items[index].observePrice(of: item, key: key) { observation = .changed(change) }
        } else {
            index = state.insertItem(ItemState(item, seen: key))
            observation = .added
        }
        // The previous view sorts before its event's snapshot within the same second.
        let seenAt = key.created &* 2 + (key.isPrevious ? 0 : 1)
        if let period, state.items[index].observePeriod(
            period, seenAt: seenAt, mode: item.price.reportingMode, paused: paused, horizon: state.horizon)
        {
            actions.append(.openPeriod(ItemPeriod(itemID: item.id, period: period)))
        }
        state.items[index].recordSighting(PriceSighting(key: key, priceID: item.price.id, mode: item.price.reportingMode), in: period, horizon: state.horizon)
        return observation
    }

    /// The subscription-level fields are those of the newest snapshot.
    private mutating func adoptFields(of snapshot: SubscriptionSnapshot, key: SnapshotKey) {
        let subscription = snapshot.subscription
        state.watermark = key
        state.watermarkListsAllItems = !subscription.itemsHaveMore
        state.customerID = subscription.customerID
        state.statusValue = subscription.status.rawValue
        state.cancelAtPeriodEnd = subscription.cancelAtPeriodEnd
        state.cancelAt = subscription.cancelAt
        state.scheduleID = subscription.scheduleID
        // A payload rendered in a version without `billing_mode` says nothing about it: keep what a newer one said.
        if let mode = subscription.billingMode { state.billingModeValue = mode.rawValue }
        switch subscription.status {
        case .canceled, .incompleteExpired:
            // customer.subscription.deleted carries ended_at; older payloads may lack it.
            state.endedAt = subscription.endedAt ?? subscription.canceledAt ?? snapshot.created
        default:
            state.endedAt = subscription.endedAt
        }
    }

    /// An item learnt from an older snapshot after a newer complete listing without it was removed
    /// in between (when is known only once the removing update is seen).
    private mutating func markItemsMissingFromWatermark() {
        guard let watermark = state.watermark, state.watermarkListsAllItems else { return }
        for index in state.items.indices where state.items[index].seen < watermark {
            state.items[index].markRemoved()
        }
    }
}
