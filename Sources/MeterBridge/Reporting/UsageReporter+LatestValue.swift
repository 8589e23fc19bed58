import BillingCore
import BillingStore

extension UsageReporter {
    /// Sends a `last_ever` value again at the start of each new period of a meter item that carries it: a meter's
    /// `last` aggregates one period, so without a new value in the period Stripe would bill 0 where the legacy
    /// `last_ever` price billed the latest value ever reported. Stamped at the period's start, so any value reported
    /// in the period is newer and wins; planned once per period (a round that stops after writing it finds it).
    func planLatestValues(_ opened: [(subscriptionID: String, period: ItemPeriod)]) async throws -> Int {
        var planned: [PlannedReport] = []
        for (subscriptionID, opening) in opened {
            guard let record = try await state.subscription(id: subscriptionID) else { continue }
            let subscription = try SubscriptionStateCodec.decode(record)
            guard let customer = subscription.customerID, let item = subscription.item(id: opening.itemID), item.mode == .meter,
                item.carriesLatestValue == true,
                let route = catalogue.first(where: { $0.value.product == item.productID }).flatMap({ self.route(for: $0.key) }),
                route.aggregation == .last
            else { continue }
            let start = opening.period.start
            let reports = try await ledger.reports(customerID: customer).filter { $0.metric == route.metric && $0.purpose != .shadow }
            if reports.contains(where: { $0.purpose == .rereport && $0.timestamp == start && $0.period?.start == start }) { continue }
            // For a `last` metric every report carries the latest value of what it delivers; a record not planned yet
            // (its round limited to other customers) may be newer still.
            let reported = reports.filter { $0.timestamp < start && $0.status != .dead }.max { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
            let waiting = try await ledger.recordedUsage(customerID: customer, metric: route.metric, from: start - UsagePlanner.meterWindow, to: start)
                .filter { $0.delivery == .unreported }.max { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }
            let latest: Int64?
            switch (reported, waiting) {
            case (let report?, let record?): latest = record.timestamp > report.timestamp ? record.quantity : report.quantity
            case (let report?, nil): latest = report.quantity
            case (nil, let record?): latest = record.quantity
            case (nil, nil): latest = nil
            }
            guard let latest else { continue }
            planned.append(PlannedReport(
                channel: .meterEvent(eventName: route.meterEventName ?? route.metric), purpose: .rereport, customerID: customer,
                metric: route.metric, period: opening.period, quantity: latest, timestamp: start, carried: false, recordIDs: []
            ))
        }
        guard !planned.isEmpty else { return 0 }
        return try await ledger.createReports(planned, at: clock.now).count
    }
}
