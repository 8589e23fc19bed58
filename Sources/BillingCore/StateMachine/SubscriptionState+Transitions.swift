extension SubscriptionState {
    /// The price changes the subscription's schedules plan and that have not happened yet (their
    /// phase starts after the latest applied subscription snapshot).
    public var plannedTransitions: [PlannedTransition] {
        guard !schedules.isEmpty else { return [] }
        let appliedUpTo = watermark?.created ?? Int64.min
        var transitions: [PlannedTransition] = []
        for schedule in schedules {
            guard let change = schedule.nextChange, change.startDate > appliedUpTo else { continue }
            for added in change.added {
                let to = resolve(added)
                let from = pairedPrice(for: to, in: change)
                let fromInfo = from.map(resolve)
                let item = from.flatMap { price in items.first { !$0.isRemoved && $0.priceID == price.id } }
                transitions.append(
                    PlannedTransition(
                        scheduleID: schedule.id,
                        effectiveAt: change.startDate,
                        itemID: item?.id,
                        productID: to.productID ?? fromInfo?.productID,
                        fromPriceID: from?.id,
                        toPriceID: added.id,
                        fromMode: fromInfo?.mode ?? item?.mode,
                        toMode: to.mode
                    )
                )
            }
        }
        return transitions
    }

    /// The dropped price an added one replaces: the one of the same product, or the only one when
    /// the phase swaps exactly one price for another.
    private func pairedPrice(for added: PhasePrice, in change: PhaseChange) -> PhasePrice? {
        if let product = added.productID, let match = change.removed.first(where: { resolve($0).productID == product }) {
            return match
        }
        guard change.removed.count == 1, change.added.count == 1 else { return nil }
        return change.removed[0]
    }

    /// A phase price completed with what the items say about the same price id, when the schedule
    /// did not expand it ("known when the price was seen before").
    private func resolve(_ price: PhasePrice) -> PhasePrice {
        guard price.productID == nil || price.mode == nil, let known = items.first(where: { $0.priceID == price.id }) else {
            return price
        }
        return PhasePrice(id: price.id, productID: price.productID ?? known.productID, mode: price.mode ?? known.mode)
    }
}
