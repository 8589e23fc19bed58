import BillingCore
import Synchronization

extension StripeAPIDouble {
    /// Makes a customer known, so meter events for it are billed.
    public func addCustomer(_ id: String) {
        core.state.withLock { _ = $0.customers.insert(id) }
    }

    /// Adds (or replaces) a subscription item; its customer becomes known.
    public func addSubscriptionItem(_ seed: SubscriptionItemSeed) {
        core.state.withLock { state in
            state.items[seed.id] = LegacyItemState(seed: seed)
            state.customers.insert(seed.customer)
        }
    }

    /// Adds (or replaces) a billing meter.
    public func addMeter(_ seed: MeterSeed) {
        core.state.withLock { $0.meters.meters[seed.id] = seed }
    }

    /// Rolls the item over to `period`, as Stripe does at the period boundary: the current period
    /// is closed with an invoice, and usage records must now fall inside the new one.
    /// Returns the invoice id of the closed period.
    @discardableResult
    public func advancePeriod(item: String, to period: BillingPeriod) throws -> String {
        try core.state.withLock { state throws(StripeDoubleError) -> String in
            guard var entry = state.items[item] else { throw .unknownSubscriptionItem(item) }
            guard period.start >= entry.seed.currentPeriod.end, period.end > period.start else { throw .periodDoesNotAdvance(item: item) }
            let invoice = state.makeID("in")
            entry.closedPeriods.append(.init(period: entry.seed.currentPeriod, invoice: invoice))
            entry.seed.currentPeriod = period
            state.items[item] = entry
            return invoice
        }
    }

    /// Moves the item to another price mid-cycle. Stripe then bills only usage reported after the
    /// change; a meter-backed price refuses further usage records.
    public func changePrice(item: String, to price: Price) throws {
        try core.state.withLock { state throws(StripeDoubleError) in
            guard state.items[item] != nil else { throw .unknownSubscriptionItem(item) }
            state.items[item]?.seed.price = price
        }
    }

    /// Deletes the item: its unreported usage is never billed and further calls answer 404.
    public func deleteSubscriptionItem(_ item: String) throws {
        try core.state.withLock { state throws(StripeDoubleError) in
            guard state.items[item] != nil else { throw .unknownSubscriptionItem(item) }
            state.items[item]?.deleted = true
        }
    }
}
