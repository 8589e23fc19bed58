import BillingCore
import BillingStore
import Logging
import StripeAPI
import SystemClock

/// What `reconcile` reads from the store: the subscription's state, the usage records and the reports.
public typealias ReconcileStore = BillingStateStore & UsageReportStore & UsageLedgerStore

/// `meterbridge reconcile`: for each usage item of a subscription and a period, compares what meterbridge recorded and
/// reported with what Stripe bills (docs/commands.md).
///
/// Legacy items are compared with Stripe's usage record summaries (one per period), meter items with the meter's event
/// summaries for the customer over the period (bounds rounded down to the minute, as Stripe requires), and a legacy
/// period whose usage was mirrored to the meter during a planned migration also gets a `shadow` row for the meter.
/// "Reported" counts `sent` reports only (those Stripe acknowledged); the difference is Stripe's total minus that.
public struct Reconciler: Sendable {
    public let client: any StripeUsageClient
    public let catalogue: [String: MetricDefinition]
    public let clock: any UnixClock

    public init(client: any StripeUsageClient, catalogue: [String: MetricDefinition], clock: any UnixClock = SystemUnixClock()) {
        self.client = client
        self.catalogue = catalogue
        self.clock = clock
    }

    /// A reconciler with the Stripe client the configuration describes; nil without `stripe.api_key`.
    public init?(configuration: MeterBridgeConfiguration, logger: Logger) {
        guard let client = MeterBridgeRuntime.defaultClient(configuration, metrics: MeterBridgeMetrics(), logger: logger) else { return nil }
        self.init(client: client, catalogue: configuration.metrics)
    }

    /// Why a reconciliation could not run.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Compares the periods of `subscriptionID`'s usage items: the one containing `period` (unix seconds), or by
    /// default each item's current and previous periods.
    public func reconcile(subscriptionID: String, period: Int64? = nil, store: any ReconcileStore) async throws -> ReconcileReport {
        guard let record = try await store.subscription(id: subscriptionID) else {
            throw Failure(description: "no subscription \(subscriptionID) in the store; it appears once one of its events is processed")
        }
        let state = try SubscriptionStateCodec.decode(record)
        guard let customer = state.customerID else {
            throw Failure(description: "\(subscriptionID) has no customer yet: nothing to reconcile")
        }
        let records = try await store.usageRecords(customerID: customer)
        let sent = try await store.reports(customerID: customer).filter { $0.status == .sent }
        let now = clock.now.seconds
        var report = ReconcileReport(subscription: subscriptionID, customer: customer, rows: [])
        var legacySummaries: [String: Result<[StripeUsageRecordSummary], StripeCallError>] = [:]
        for item in state.items {
            let periods = Self.periods(of: item, in: state, at: period ?? now, explicit: period != nil)
            guard !periods.isEmpty else { continue }
            let metric = catalogue.sorted { $0.key < $1.key }.first { $0.value.product == item.productID }
            for (local, bounds) in periods {
                var base = ReconcileRow(item: item.id, metric: metric?.key, periodStart: bounds.start, periodEnd: bounds.end, mode: "")
                guard let metric else {
                    base.mode = item.mode.rawValue
                    base.note = "no metric of the catalogue bills product \(item.productID ?? "?"): not compared"
                    report.rows.append(base)
                    continue
                }
                let (name, definition) = (metric.key, metric.value)
                let last = definition.aggregation == .last
                let inPeriod = records.filter { $0.metric == name && bounds.contains($0.timestamp) }
                let recorded = Self.total(inPeriod.map { ($0.timestamp, $0.id, $0.quantity) }, last: last)
                if local.modes.contains(.legacy) {
                    var row = base
                    row.mode = "legacy"
                    row.recorded = recorded
                    row.reported = Self.total(sent.filter { report in
                        guard case .usageRecord(_, let itemID, _) = report.channel else { return false }
                        return itemID == item.id && report.purpose != .shadow && bounds.contains(report.timestamp)
                    }.map { ($0.timestamp, String($0.id), $0.quantity) }, last: last)
                    if legacySummaries[item.id] == nil { legacySummaries[item.id] = await usageRecordSummaries(item.id) }
                    switch legacySummaries[item.id] {
                    case .success(let summaries)?:
                        row.stripe = summaries.first { $0.periodStart == bounds.start }?.totalUsage
                            ?? summaries.first { $0.periodStart <= bounds.start && bounds.start < $0.periodEnd }?.totalUsage ?? 0
                    case .failure(let error)?: row.error = "Stripe: \(error.description)"
                    case nil: break
                    }
                    report.rows.append(row.settled())
                }
                let shadowed = sent.contains { $0.purpose == .shadow && $0.metric == name && bounds.contains($0.timestamp) }
                let meterMode: String? = local.modes.contains(.meter) ? "meter" : shadowed ? "shadow" : nil
                if let mode = meterMode {
                    var row = base
                    row.mode = mode
                    row.recorded = recorded
                    let window = BillingPeriod(start: bounds.start / 60 * 60, end: bounds.end / 60 * 60)
                    let eventName = definition.meterEventName ?? name
                    let purposes: Set<PlannedReport.Purpose> = mode == "meter" ? [.usage, .rereport] : [.shadow]
                    row.reported = Self.total(sent.filter { report in
                        guard case .meterEvent(let sentName) = report.channel, sentName == eventName else { return false }
                        return purposes.contains(report.purpose) && window.contains(report.timestamp)
                    }.map { ($0.timestamp, String($0.id), $0.quantity) }, last: last)
                    if let meterID = item.meterID {
                        switch await meterTotal(meterID: meterID, customer: customer, window: window, last: last) {
                        case .success(let total):
                            row.stripe = total
                        case .failure(let error):
                            row.error = "Stripe: \(error.description)"
                        }
                        if window != bounds { row.note = "meter window \(StateDiff.label(window)) (bounds rounded down to the minute)" }
                    } else {
                        row.note = "the item's meter is not known while it is on a legacy price: nothing to compare with"
                    }
                    report.rows.append(row.settled())
                }
            }
        }
        report.hasDifferences = report.rows.contains { $0.differs }
        return report
    }

    /// The item's usage-based periods to compare, with their effective bounds.
    static func periods(of item: ItemState, in state: SubscriptionState, at time: Int64, explicit: Bool) -> [(LocalPeriod, BillingPeriod)] {
        let usage = item.periods.filter(\.modes.isUsageBased)
        let chosen: [LocalPeriod]
        if explicit {
            chosen = usage.filter { $0.start == time || ($0.start <= time && time < $0.end) }.suffix(1)
        } else if let current = usage.lastIndex(where: { $0.start <= time }) {
            chosen = Array(usage[max(current - 1, 0)...current])
        } else {
            chosen = []
        }
        return chosen.map { ($0, state.effectivePeriod(itemID: item.id, start: $0.start) ?? $0.reported) }
    }

    /// Sum of the quantities, or for a `last` metric the latest one (by timestamp, then id).
    static func total(_ entries: [(timestamp: Int64, id: String, quantity: Int64)], last: Bool) -> Int64 {
        guard last else { return entries.reduce(0) { $0 + $1.quantity } }
        return entries.max { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }?.quantity ?? 0
    }

    private func usageRecordSummaries(_ itemID: String) async -> Result<[StripeUsageRecordSummary], StripeCallError> {
        do throws(StripeCallError) {
            return .success(try await client.usageRecordSummaries(subscriptionItem: itemID))
        } catch {
            return .failure(error)
        }
    }

    /// The meter's total for the customer over `window`: the sum of the summaries, or for `last` the newest one's value.
    private func meterTotal(meterID: String, customer: String, window: BillingPeriod, last: Bool) async -> Result<Int64, StripeCallError> {
        do throws(StripeCallError) {
            let summaries = try await client.meterEventSummaries(meterID: meterID, customer: customer, start: window.start, end: window.end)
            let value: Double
            if last {
                value = summaries.max { $0.start < $1.start }?.aggregatedValue ?? 0
            } else {
                value = summaries.reduce(0) { $0 + $1.aggregatedValue }
            }
            return .success(Int64(value.rounded()))
        } catch {
            return .failure(error)
        }
    }
}

/// The outcome of `reconcile`: one row per item, period and channel.
public struct ReconcileReport: Codable, Sendable, Equatable {
    public var subscription: String
    public var customer: String?
    public var rows: [ReconcileRow]
    /// Whether any row differs (or could not be compared): `reconcile` exits 1.
    public var hasDifferences = false
}

/// One comparison: an item's period through one channel.
public struct ReconcileRow: Codable, Sendable, Equatable {
    public var item: String
    public var metric: String?
    public var periodStart: Int64
    public var periodEnd: Int64
    /// `legacy` (usage records), `meter` (meter events) or `shadow` (meter events mirroring a legacy period).
    public var mode: String
    /// Usage records with timestamps in the period.
    public var recorded: Int64 = 0
    /// What Stripe acknowledged from meterbridge for the period (sent reports).
    public var reported: Int64 = 0
    /// Stripe's total; nil when it could not be read.
    public var stripe: Int64?
    /// `stripe − reported`; nil when Stripe's total is unknown.
    public var difference: Int64?
    /// Why Stripe's total could not be read (the row then counts as a difference).
    public var error: String?
    public var note: String?

    /// Whether this row is a difference an operator must look at.
    public var differs: Bool { error != nil || (difference ?? 0) != 0 }

    func settled() -> ReconcileRow {
        var row = self
        row.difference = stripe.map { $0 - reported }
        return row
    }
}
