import BillingCore
import StripeEventBuilders

extension DoubleState {
    /// A webhook event for `object`, with a fresh id, in `shape`.
    mutating func webhook(_ type: String, at created: Int64, object: JSONValue, previous: JSONValue? = nil, shape: APIShape) -> DoubleWebhook {
        let id = makeID("evt")
        return DoubleWebhook(
            id: id, type: type, created: created,
            payload: TestEvents.envelope(id: id, type: type, created: created, shape: shape, object: object, previous: previous))
    }

    /// `customer.subscription.*` for the record as it is now; `previous` renders `previous_attributes`.
    mutating func subscriptionWebhook(_ type: String, _ record: SubscriptionRecord, previous: TestSubscription? = nil, at: Int64) -> DoubleWebhook {
        let now = record.testSubscription
        return webhook(
            type, at: at, object: now.json(record.shape), previous: previous.map { now.previousAttributes(from: $0, record.shape) },
            shape: record.shape)
    }

    /// Keeps the legacy usage-record endpoint's view of an item (price, current period) in step with the model.
    mutating func syncLegacyItem(_ item: SubscriptionRecord.Item, of record: SubscriptionRecord) {
        if items[item.id] == nil {
            items[item.id] = LegacyItemState(
                seed: SubscriptionItemSeed(
                    id: item.id, subscription: record.id, customer: record.customer, price: item.price.corePrice,
                    currentPeriod: record.currentPeriod))
        }
        items[item.id]?.seed.price = item.price.corePrice
        items[item.id]?.seed.currentPeriod = record.currentPeriod
        customers.insert(record.customer)
    }

    /// What an item bills in `[from, to)` of `period` on its current price: a fixed quantity for a legacy price
    /// (usage records cannot be added to it any more once it is invoiced), a meter line for a meter price.
    mutating func invoiceSegment(_ item: SubscriptionRecord.Item, of record: SubscriptionRecord, period: BillingPeriod, from: Int64, to: Int64) {
        switch item.price.mode {
        case .legacy:
            // Usage records of an earlier price are already left out by price ("bills only usage reported after the
            // update"), so the whole period up to `to` is read; `from` matters for meter events, which have no price.
            let quantity = items[item.id]?.billed(in: BillingPeriod(start: period.start, end: to)) ?? 0
            book.fixedLines.append(
                InvoicedUsage(customer: record.customer, subscription: record.id, product: item.price.product, period: period, quantity: quantity))
        case .meter:
            guard let meter = item.price.meter else { return }
            book.meterLines.append(
                MeterLine(
                    customer: record.customer, subscription: record.id, product: item.price.product, period: period, meterID: meter,
                    from: max(from, period.start), to: to, arrivedBefore: nil))
        case .none:
            break
        }
    }

    /// Ends the record's current period at `end` (its natural end, an anchor reset or an immediate cancellation):
    /// every live item's usage of the period is invoiced, and the invoice waits for its automatic finalization.
    mutating func closePeriod(_ record: inout SubscriptionRecord, at end: Int64, reason: String, now: Int64) -> [DoubleWebhook] {
        let period = BillingPeriod(start: record.currentPeriod.start, end: end)
        let invoiceID = makeID("in")
        for item in record.items {
            invoiceSegment(item, of: record, period: period, from: max(period.start, item.since), to: end)
            items[item.id]?.closedPeriods.append(.init(period: period, invoice: invoiceID))
        }
        let finalizesAt = now + book.finalizationGrace
        record.closed.append((period, finalizesAt))
        // Meter lines of this period (flexible mode's earlier segments included) count events until the finalization.
        for index in book.meterLines.indices
        where book.meterLines[index].subscription == record.id && book.meterLines[index].period.start == period.start
            && book.meterLines[index].arrivedBefore == nil
        {
            book.meterLines[index].period = period
            book.meterLines[index].to = min(book.meterLines[index].to, end)
            book.meterLines[index].arrivedBefore = finalizesAt
        }
        for index in book.fixedLines.indices
        where book.fixedLines[index].subscription == record.id && book.fixedLines[index].period.start == period.start {
            book.fixedLines[index].period = period
        }
        let invoice = PendingInvoice(
            id: invoiceID, subscription: record.id, period: period, billingReason: reason, finalizesAt: finalizesAt,
            snapshot: record.testSubscription, shape: record.shape)
        book.pendingInvoices.append(invoice)
        return [invoiceWebhook("invoice.created", invoice, status: "draft", at: now)]
    }

    mutating func invoiceWebhook(_ type: String, _ invoice: PendingInvoice, status: String, at: Int64) -> DoubleWebhook {
        let object = TestEvents.invoiceObject(
            id: invoice.id, subscription: invoice.snapshot, period: invoice.period, status: status, billingReason: invoice.billingReason,
            finalizedAt: status == "draft" ? nil : at, automaticallyFinalizesAt: invoice.finalizesAt, shape: invoice.shape)
        return webhook(type, at: at, object: object, shape: invoice.shape)
    }

    /// Flexible mode invoices an item's usage up to `at` when its price changes or it is deleted; classic mode drops it.
    mutating func settleBeforeChange(_ item: SubscriptionRecord.Item, of record: SubscriptionRecord, at: Int64) {
        guard record.billingMode == .flexible else { return }
        invoiceSegment(item, of: record, period: record.currentPeriod, from: max(record.currentPeriod.start, item.since), to: at)
    }

    /// Starts the next period of `record` at `start`, with the planned phase's prices.
    mutating func startPeriod(_ record: inout SubscriptionRecord, _ period: BillingPeriod) {
        record.currentPeriod = period
        for index in record.items.indices {
            if let planned = record.plannedPhase[record.items[index].id] { record.items[index].price = planned }
            record.items[index].since = period.start
        }
        record.plannedPhase = [:]
        for item in record.items { syncLegacyItem(item, of: record) }
    }

    /// Ends the subscription: its items take no more usage.
    mutating func endSubscription(_ record: inout SubscriptionRecord, at: Int64) {
        record.status = "canceled"
        record.canceledAt = record.canceledAt ?? at
        record.endedAt = at
        for item in record.items { items[item.id]?.deleted = true }
    }

    /// What Stripe invoices (or, for the open period, would invoice now) per customer, product and period.
    func invoicedUsage() -> [InvoicedUsage] {
        var lines = book.fixedLines + book.meterLines.map(meterQuantity)
        for record in book.subscriptions.values where !record.isEnded {
            var open = DoubleStateView(state: self)
            for item in record.items {
                lines += open.segment(item, of: record, from: max(record.currentPeriod.start, item.since), to: record.currentPeriod.end)
            }
        }
        var totals: [InvoicedUsage: Int64] = [:]
        for line in lines {
            var key = line
            key.quantity = 0
            totals[key, default: 0] += line.quantity
        }
        return totals.map { key, quantity in
            var line = key
            line.quantity = quantity
            return line
        }.sorted { ($0.customer, $0.product, $0.period.start) < ($1.customer, $1.product, $1.period.start) }
    }

    /// The quantity of a meter line: events of its customer on its meter, stamped in its window and received in time.
    func meterQuantity(_ line: MeterLine) -> InvoicedUsage {
        var quantity: Int64 = 0
        if let meter = meters.meters[line.meterID] {
            let counted = meters.events.filter { event in
                event.eventName == meter.eventName && event.customer == line.customer && !event.canceled && event.errorCode == nil
                    && line.from <= event.timestamp && event.timestamp < line.to && event.created < (line.arrivedBefore ?? .max)
            }
            switch meter.aggregation {
            case .sum: quantity = counted.reduce(0) { $0 + $1.value }
            case .count: quantity = Int64(counted.count)
            case .last: quantity = counted.max { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }?.value ?? 0
            }
        }
        return InvoicedUsage(customer: line.customer, subscription: line.subscription, product: line.product, period: line.period, quantity: quantity)
    }
}

/// A read-only evaluation of the open period, without touching the state's books.
private struct DoubleStateView {
    var state: DoubleState

    mutating func segment(_ item: SubscriptionRecord.Item, of record: SubscriptionRecord, from: Int64, to: Int64) -> [InvoicedUsage] {
        let before = (state.book.fixedLines.count, state.book.meterLines.count)
        state.invoiceSegment(item, of: record, period: record.currentPeriod, from: from, to: to)
        let fixed = state.book.fixedLines[before.0...]
        let meter = state.book.meterLines[before.1...].map(state.meterQuantity)
        return Array(fixed) + meter
    }
}
