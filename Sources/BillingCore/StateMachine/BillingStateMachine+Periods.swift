extension BillingStateMachine {
    /// Moves every period as far as the facts allow and meets the obligations of its new state,
    /// each once (the period remembers them): lock, carry, last-chance and final flushes.
    ///
    /// A period has ended when a later period of its item exists, its item was removed, the
    /// subscription ended, or a renewal invoice bills it; a draft invoice makes it `invoiced`, a
    /// finalized one `locked`. Every condition only becomes true as facts arrive, so the final
    /// state and the set of obligations met do not depend on the order they arrived in.
    mutating func advancePeriods(into actions: inout [BillingAction]) {
        for itemIndex in state.items.indices {
            let count = state.items[itemIndex].periods.count
            for periodIndex in 0..<count {
                advancePeriod(itemIndex, periodIndex, isLast: periodIndex == count - 1, into: &actions)
            }
        }
    }

    private mutating func advancePeriod(_ itemIndex: Int, _ periodIndex: Int, isLast: Bool, into actions: inout [BillingAction]) {
        var period = state.items[itemIndex].periods[periodIndex]
        var target = PeriodState.open
        if !isLast || state.items[itemIndex].isRemoved || state.hasEnded { target = .ended }
        var invoiceID: String?
        var finalizesAt: Int64?
        let bounds = state.effectivePeriod(state.items[itemIndex], at: periodIndex)
        let ended = target == .ended
        for invoice in state.invoices where invoice.bills(periodStartingAt: period.start, endingAt: bounds.end, ended: ended) {
            target = max(target, invoice.stage.isFinalized ? .locked : .invoiced)
            if invoiceID == nil {
                invoiceID = invoice.id
                finalizesAt = invoice.finalizesAt
            }
        }
        let isFinal = isFinalPeriod(state.items[itemIndex], period, isLast: isLast)
        let isRemoved = state.items[itemIndex].isRemoved
        // Nothing to do (most periods, most of the time): no state change, every obligation met.
        let settled =
            period.state >= target && invoiceID == period.invoiceID && (invoiceID == nil || finalizesAt == period.finalizesAt)
            && (!period.modes.isUsageBased
                || ((period.state < .ended || period.flushed.contains(.lastChance)) && (!isFinal || period.flushed.contains(.final))
                    && (period.carried || !carryDue(period, isFinal: isFinal, isRemoved: isRemoved))))
        if settled { return }

        if let invoiceID {
            period.invoiceID = invoiceID
            period.finalizesAt = finalizesAt
        }
        let locked = period.raise(to: target)
        let item = state.items[itemIndex]
        let here = ItemPeriod(itemID: item.id, period: bounds)
        if locked { actions.append(.lockPeriod(here)) }

        if period.modes.isUsageBased {
            if carryDue(period, isFinal: isFinal, isRemoved: isRemoved), !period.carried, let destination = carryDestination(itemIndex, periodIndex) {
                period.carried = true
                actions.append(.carryUsage(UsageCarry(from: here, to: destination)))
            }
            // The event that reveals a boundary fires the last-chance flush (meter events of the
            // ended period are billed until finalization).
            if period.state >= .ended, period.markFlushed(.lastChance) {
                actions.append(.flush(flush(item.id, bounds, .lastChance)))
            }
            // A removed item or an ended subscription gets its final flush (Stripe never bills a
            // deleted item's unreported usage, so whatever is left is carried as well).
            if isFinal, period.markFlushed(.final) {
                actions.append(.flush(flush(item.id, bounds, .final)))
            }
        }
        state.items[itemIndex].periods[periodIndex] = period
    }

    /// Whether usage left in the period must move on: legacy usage once the boundary passed (Stripe
    /// rejects back-dated records), meter usage once the invoice is final, a removed item's always
    /// (Stripe never bills a deleted item's unreported usage).
    private func carryDue(_ period: LocalPeriod, isFinal: Bool, isRemoved: Bool) -> Bool {
        period.state == .locked || (period.modes.contains(.legacy) && period.state >= .ended) || (isFinal && isRemoved)
    }

    /// Whether the period is the last an item will ever have: the one the removing update showed
    /// (known only from that update, so no later fact can move it), or the current period of an
    /// item still listed when the subscription ended.
    func isFinalPeriod(_ item: ItemState, _ period: LocalPeriod, isLast: Bool) -> Bool {
        if let removal = item.removal { return removal.lastPeriodStart == period.start }
        return isLast && state.hasEnded && !item.isRemoved
    }

    /// Where usage left in a period goes: the item's next period, or for a removed item the
    /// period, live at the removal or after it, of the item that now carries its product.
    func carryDestination(_ itemIndex: Int, _ periodIndex: Int) -> ItemPeriod? {
        let item = state.items[itemIndex]
        if periodIndex + 1 < item.periods.count {
            return ItemPeriod(itemID: item.id, period: state.effectivePeriod(item, at: periodIndex + 1))
        }
        guard let removedAt = item.removedAt, let product = item.productID else { return nil }
        var best: ItemPeriod?
        for other in state.items where other.id != item.id && other.productID == product {
            guard let index = other.periods.indices.first(where: { state.effectivePeriod(other, at: $0).end > removedAt }) else { continue }
            let candidate = state.effectivePeriod(other, at: index)
            if best.map({ candidate.start < $0.period.start }) ?? true {
                best = ItemPeriod(itemID: other.id, period: candidate)
            }
        }
        return best
    }

    /// A flush of the item's period with its deterministic key.
    func flush(_ itemID: String, _ period: BillingPeriod, _ reason: FlushReason) -> UsageFlush {
        UsageFlush(key: FlushKey(subscriptionID: state.subscriptionID, itemID: itemID, periodStart: period.start, reason: reason), period: period)
    }

    /// Locks a removed item's or ended subscription's period once Stripe acknowledged its final flush.
    mutating func confirmFinalFlush(itemID: String, periodStart: Int64, into actions: inout [BillingAction]) -> Bool {
        // Unknown: pruned long ago, or never flushed; nothing to lock.
        guard let itemIndex = state.itemIndex(itemID),
            let periodIndex = state.items[itemIndex].periods.firstIndex(where: { $0.start == periodStart })
        else { return false }
        let item = state.items[itemIndex]
        let period = item.periods[periodIndex]
        // Only the final flush after a removal or the subscription's end locks; a timer's final flush
        // before a renewal does not (the renewal invoice will).
        let isLast = periodIndex == item.periods.count - 1
        guard period.flushed.contains(.final), period.state >= .ended, isFinalPeriod(item, period, isLast: isLast) else { return false }
        // A duplicate confirmation: locked already.
        guard state.items[itemIndex].periods[periodIndex].raise(to: .locked) else { return false }
        actions.append(.lockPeriod(ItemPeriod(itemID: itemID, period: state.effectivePeriod(item, at: periodIndex))))
        return true
    }
}
