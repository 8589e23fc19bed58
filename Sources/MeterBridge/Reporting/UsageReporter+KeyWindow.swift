import BillingCore
import BillingStore
import StripeAPI

/// What Stripe's summaries say about a report first tried longer ago than Stripe keeps its key.
enum KeyWindowVerdict {
    /// Stripe has the usage: the report is sent, without calling again.
    case landed
    /// Stripe does not have it (or sending it again cannot count it twice): send it.
    case send
    /// Whether Stripe has it cannot be told now; `retryable` when a later attempt may tell.
    case unknown(String, retryable: Bool)
}

extension UsageReporter {
    /// Whether `report`'s first attempt is older than Stripe's key window: Stripe may have forgotten its key (usage
    /// records, https://docs.stripe.com/api/idempotent_requests) or identifier (meter events,
    /// https://docs.stripe.com/api/billing/meter-event/create), and would count the same usage again.
    func outlivedKeyWindow(_ report: UsageReportRow, now: UnixTime) -> Bool {
        guard let first = report.firstAttemptAt else { return false }
        return now - first >= configuration.keyWindow
    }

    /// Asks Stripe's summaries whether a report that outlived the key window landed.
    ///
    /// Stripe's total over the report's span, less what this store's sent reports put there, is usage Stripe has from
    /// attempts whose answers were lost; the report landed if that covers its quantity. The span is the item's period
    /// for usage records (their summaries are per period) and the report's minute for meter events (the finest bounds
    /// summaries take). Reports that outlived the window are checked one at a time, oldest first, so each one's
    /// verdict counts the ones before it. The check assumes this store is the only one reporting for the item (or the
    /// customer and meter).
    func keyWindowVerdict(_ report: UsageReportRow, client: any StripeUsageClient) async throws -> KeyWindowVerdict {
        // Sending a latest value (`set`, a `last` meter) again changes nothing Stripe bills; nor does a zero increment.
        let isLast = catalogue[report.metric]?.aggregation == .last
        guard report.quantity > 0, !isLast else { return .send }
        let sent = try await ledger.reports(customerID: report.customerID).filter { $0.status == .sent && $0.id != report.id }
        var meterID: String?
        if case .meterEvent = report.channel {
            meterID = try await self.meterID(for: report)
            if meterID == nil { return .unknown("the meter's id is not known, so Stripe's meter event summaries cannot be read", retryable: false) }
        }
        let stripeTotal: Int64
        let span: BillingPeriod
        do throws(StripeCallError) {
            switch report.channel {
            case .usageRecord(_, let itemID, _):
                let summaries = try await client.usageRecordSummaries(subscriptionItem: itemID)
                guard let summary = summaries.first(where: { $0.periodStart <= report.timestamp && report.timestamp < $0.periodEnd }) else {
                    return .unknown("Stripe has no usage record summary of item \(itemID) for the report's time", retryable: false)
                }
                stripeTotal = summary.totalUsage
                span = BillingPeriod(start: summary.periodStart, end: summary.periodEnd)
            case .meterEvent:
                let minute = report.timestamp / 60 * 60
                span = BillingPeriod(start: minute, end: minute + 60)
                let summaries = try await client.meterEventSummaries(meterID: meterID ?? "", customer: report.customerID, start: span.start, end: span.end)
                stripeTotal = Int64(summaries.reduce(0) { $0 + $1.aggregatedValue }.rounded())
            }
        } catch {
            return .unknown("Stripe's summary could not be read: \(error.description)", retryable: error.shouldRetry)
        }
        let sentTotal = sent.filter { Self.sameTarget($0, as: report) && span.contains($0.timestamp) }.reduce(0) { $0 + $1.quantity }
        return stripeTotal - sentTotal >= report.quantity ? .landed : .send
    }

    /// Whether two reports add to the same Stripe total: the same item, or the same customer's meter.
    private static func sameTarget(_ sent: UsageReportRow, as report: UsageReportRow) -> Bool {
        switch (sent.channel, report.channel) {
        case (.usageRecord(_, let item, _), .usageRecord(_, let other, _)): return item == other
        case (.meterEvent(let name), .meterEvent(let other)): return name == other && sent.customerID == report.customerID
        default: return false
        }
    }

    /// The meter behind a meter event report: from an item of the customer on the metric's product with a meter price.
    private func meterID(for report: UsageReportRow) async throws -> String? {
        guard let product = catalogue[report.metric]?.product else { return nil }
        for record in try await state.subscriptions(customerID: report.customerID) {
            let subscription = try SubscriptionStateCodec.decode(record)
            if let meter = subscription.items.first(where: { $0.productID == product && $0.meterID != nil })?.meterID { return meter }
        }
        return nil
    }
}
