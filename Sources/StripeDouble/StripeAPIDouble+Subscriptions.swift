import BillingCore
import StripeEventBuilders
import Synchronization

/// The subscription model: Swift calls that change subscriptions as Stripe would, each returning the webhooks
/// Stripe sends for the change, so a story's events and what the double bills come from one truth.
extension StripeAPIDouble {
    /// Creates a subscription whose first period is `period`; `createInvoice` adds the `subscription_create` invoice.
    public func createSubscription(
        id: String, customer: String, billingMode: DoubleBillingMode = .classic, period: BillingPeriod, items: [DoubleSubscriptionItem],
        shape: APIShape, at: Int64, createInvoice: Bool = false
    ) -> [DoubleWebhook] {
        core.state.withLock { state in
            let record = SubscriptionRecord(
                id: id, customer: customer, billingMode: billingMode, status: "active", shape: shape, created: at, currentPeriod: period,
                items: items.map { .init(id: $0.id, price: $0.price, since: period.start) })
            state.book.subscriptions[id] = record
            state.book.order.append(id)
            for item in record.items { state.syncLegacyItem(item, of: record) }
            var events = [state.subscriptionWebhook("customer.subscription.created", record, at: at)]
            if createInvoice {
                let invoice = PendingInvoice(
                    id: state.makeID("in"), subscription: id, period: BillingPeriod(start: period.start, end: period.start),
                    billingReason: "subscription_create", finalizesAt: at, snapshot: record.testSubscription, shape: shape)
                events.append(state.invoiceWebhook("invoice.created", invoice, status: "draft", at: at))
                events.append(state.invoiceWebhook("invoice.finalized", invoice, status: "open", at: at))
                events.append(state.invoiceWebhook("invoice.paid", invoice, status: "paid", at: at))
            }
            return events
        }
    }

    /// The period boundary: the ended period is invoiced and the subscription renews into a period of the same
    /// length, on the planned phase's prices; one that cancels at period end ends instead.
    public func renew(subscription: String, at: Int64) throws -> [DoubleWebhook] {
        try modify(subscription) { (state: inout DoubleState, record: inout SubscriptionRecord) throws(StripeDoubleError) in
            let previous = record.testSubscription
            let ended = record.currentPeriod
            var events: [DoubleWebhook] = []
            if record.cancelAtPeriodEnd {
                state.endSubscription(&record, at: ended.end)
                events.append(state.subscriptionWebhook("customer.subscription.deleted", record, at: at))
                let invoice = state.closePeriod(&record, at: ended.end, reason: "subscription_cycle", now: at)
                return events + invoice
            }
            let invoice = state.closePeriod(&record, at: ended.end, reason: "subscription_cycle", now: at)
            let migrated = !record.plannedPhase.isEmpty
            state.startPeriod(&record, BillingPeriod(start: ended.end, end: ended.end + (ended.end - ended.start)))
            events.append(state.subscriptionWebhook("customer.subscription.updated", record, previous: previous, at: at))
            if migrated, let schedule = record.schedule {
                events.append(state.scheduleWebhook(record, scheduleID: schedule, status: "released", at: at))
                record.schedule = nil
            }
            return events + invoice
        }
    }

    /// Moves `item` to `price` at `at`, inside the current period.
    public func changePrice(subscription: String, item: String, to price: TestPrice, at: Int64) throws -> [DoubleWebhook] {
        try modify(subscription) { (state: inout DoubleState, record: inout SubscriptionRecord) throws(StripeDoubleError) in
            guard let index = record.items.firstIndex(where: { $0.id == item }) else { throw StripeDoubleError.unknownSubscriptionItem(item) }
            let previous = record.testSubscription
            state.settleBeforeChange(record.items[index], of: record, at: at)
            record.items[index].price = price
            record.items[index].since = at
            state.syncLegacyItem(record.items[index], of: record)
            return [state.subscriptionWebhook("customer.subscription.updated", record, previous: previous, at: at)]
        }
    }

    /// Replaces `item` by a new item on `newItem.price`: in one update, or in two (the new item added at `at`, the old
    /// one deleted a second later, since Stripe refuses to delete a subscription's last item).
    public func replaceItem(subscription: String, item: String, with newItem: DoubleSubscriptionItem, at: Int64, oneUpdate: Bool) throws -> [DoubleWebhook] {
        try modify(subscription) { (state: inout DoubleState, record: inout SubscriptionRecord) throws(StripeDoubleError) in
            guard let index = record.items.firstIndex(where: { $0.id == item }) else { throw StripeDoubleError.unknownSubscriptionItem(item) }
            var events: [DoubleWebhook] = []
            var previous = record.testSubscription
            let added = SubscriptionRecord.Item(id: newItem.id, price: newItem.price, since: at)
            let deletedAt = oneUpdate ? at : at + 1
            if !oneUpdate {
                record.items.append(added)
                state.syncLegacyItem(added, of: record)
                events.append(state.subscriptionWebhook("customer.subscription.updated", record, previous: previous, at: at))
                previous = record.testSubscription
            }
            state.settleBeforeChange(record.items[index], of: record, at: deletedAt)
            // A deleted item's unreported usage is never billed; its usage records answer 404 from now on.
            state.items[item]?.deleted = true
            record.items.remove(at: index)
            if oneUpdate {
                record.items.append(added)
                state.syncLegacyItem(added, of: record)
            }
            events.append(state.subscriptionWebhook("customer.subscription.updated", record, previous: previous, at: deletedAt))
            return events
        }
    }

    /// Plans `item`'s move to `price` at the end of the current period with a subscription schedule (Stripe's migration guide).
    public func planMigration(subscription: String, item: String, to price: TestPrice, at: Int64) throws -> [DoubleWebhook] {
        try modify(subscription) { (state: inout DoubleState, record: inout SubscriptionRecord) throws(StripeDoubleError) in
            guard record.items.contains(where: { $0.id == item }) else { throw StripeDoubleError.unknownSubscriptionItem(item) }
            let previous = record.testSubscription
            record.schedule = "sub_sched_\(record.id)"
            record.plannedPhase[item] = price
            return [
                state.scheduleWebhook(record, scheduleID: record.schedule!, status: "active", at: at),
                state.subscriptionWebhook("customer.subscription.updated", record, previous: previous, at: at),
            ]
        }
    }

    /// Sets `cancel_at_period_end`.
    public func cancelAtPeriodEnd(subscription: String, at: Int64) throws -> [DoubleWebhook] {
        try modify(subscription) { (state: inout DoubleState, record: inout SubscriptionRecord) throws(StripeDoubleError) in
            let previous = record.testSubscription
            record.cancelAtPeriodEnd = true
            record.canceledAt = at
            return [state.subscriptionWebhook("customer.subscription.updated", record, previous: previous, at: at)]
        }
    }

    /// Cancels at once with a final invoice (`invoice_now`): the period ends at `at` and is invoiced.
    public func cancelImmediately(subscription: String, at: Int64) throws -> [DoubleWebhook] {
        try modify(subscription) { (state: inout DoubleState, record: inout SubscriptionRecord) throws(StripeDoubleError) in
            let invoice = state.closePeriod(&record, at: at, reason: "subscription_cancel", now: at)
            state.endSubscription(&record, at: at)
            return [state.subscriptionWebhook("customer.subscription.deleted", record, at: at)] + invoice
        }
    }

    /// `billing_cycle_anchor=now`: the current period ends early at `at` with a `subscription_update` invoice, and a
    /// period of the usual length starts.
    public func resetBillingCycleAnchor(subscription: String, at: Int64) throws -> [DoubleWebhook] {
        try modify(subscription) { (state: inout DoubleState, record: inout SubscriptionRecord) throws(StripeDoubleError) in
            let previous = record.testSubscription
            let length = record.currentPeriod.end - record.currentPeriod.start
            let invoice = state.closePeriod(&record, at: at, reason: "subscription_update", now: at)
            state.startPeriod(&record, BillingPeriod(start: at, end: at + length))
            return [state.subscriptionWebhook("customer.subscription.updated", record, previous: previous, at: at)] + invoice
        }
    }

    /// Finalizes and pays every invoice whose `automatically_finalizes_at` has passed at `now`.
    public func finalizeDueInvoices(at now: Int64) -> [DoubleWebhook] {
        core.state.withLock { state in
            let due = state.book.pendingInvoices.filter { $0.finalizesAt <= now }
            state.book.pendingInvoices.removeAll { $0.finalizesAt <= now }
            return due.flatMap { invoice in
                [
                    state.invoiceWebhook("invoice.finalized", invoice, status: "open", at: invoice.finalizesAt),
                    state.invoiceWebhook("invoice.paid", invoice, status: "paid", at: invoice.finalizesAt),
                ]
            }
        }
    }

    /// The next automatic finalization still to come, if any.
    public var nextInvoiceFinalization: Int64? {
        core.state.withLock { $0.book.pendingInvoices.map(\.finalizesAt).min() }
    }

    /// What Stripe invoices per customer, product and period: closed periods as invoiced (meter events counted until
    /// each invoice finalizes), the open period as it stands.
    public func invoicedUsage() -> [InvoicedUsage] {
        core.state.withLock { $0.invoicedUsage() }
    }

    /// The subscription's current period, nil when it is unknown.
    public func currentPeriod(subscription: String) -> BillingPeriod? {
        core.state.withLock { $0.book.subscriptions[subscription]?.currentPeriod }
    }

    /// Every period of the subscription, oldest first: closed ones with their invoice's finalization, then the open one
    /// (no finalization yet) unless the subscription ended.
    public func periodHistory(subscription: String) -> [(period: BillingPeriod, finalizesAt: Int64?)] {
        core.state.withLock { state in
            guard let record = state.book.subscriptions[subscription] else { return [] }
            let closed = record.closed.map { (period: $0.period, finalizesAt: Optional($0.finalizesAt)) }
            return record.isEnded ? closed : closed + [(period: record.currentPeriod, finalizesAt: nil)]
        }
    }

    /// Runs `change` on one subscription under the lock.
    private func modify(
        _ id: String, _ change: (inout DoubleState, inout SubscriptionRecord) throws(StripeDoubleError) -> [DoubleWebhook]
    ) throws(StripeDoubleError) -> [DoubleWebhook] {
        try core.state.withLock { state throws(StripeDoubleError) -> [DoubleWebhook] in
            guard var record = state.book.subscriptions[id], !record.isEnded else { throw .unknownSubscription(id) }
            let events = try change(&state, &record)
            state.book.subscriptions[id] = record
            return events
        }
    }
}

extension DoubleState {
    /// `subscription_schedule.updated` (or `.released`) for a schedule whose next phase swaps the planned prices.
    mutating func scheduleWebhook(_ record: SubscriptionRecord, scheduleID: String, status: String, at: Int64) -> DoubleWebhook {
        let period = record.currentPeriod
        let current = record.items.map(\.price)
        let next = record.items.map { record.plannedPhase[$0.id] ?? $0.price }
        let phases = [
            TestEvents.Phase(start: period.start, end: period.end, prices: current), TestEvents.Phase(start: period.end, end: nil, prices: next),
        ]
        let type = status == "released" ? "subscription_schedule.released" : "subscription_schedule.updated"
        let event = TestEvents.schedule(
            type, id: "pending", created: at, scheduleID: scheduleID, subscriptionID: record.id, status: status, phases: phases, expandPrices: true,
            customer: record.customer, shape: record.shape)
        guard case .object(let envelope) = event, case .object(let data)? = envelope["data"], let object = data["object"] else {
            preconditionFailure("Invalid state: the schedule builder returned no event object")
        }
        return webhook(type, at: at, object: object, shape: record.shape)
    }
}
