import BillingCore
import BillingStore
import Logging

/// The outbox actions a flush round took, and what they ask of it.
struct TakenActions {
    /// The actions the round carries out, marked done together once it did.
    var seqs: [Int64] = []
    /// Customers whose usage a boundary flush asked for.
    var customers: Set<String> = []
    /// Mid-cycle switches' re-reports of the usage the old price drops.
    var rereports: [(subscriptionID: String, rereport: Rereport)] = []
    /// Periods that opened, when a `last` metric may need its latest value sent again in them.
    var openedPeriods: [(subscriptionID: String, period: ItemPeriod)] = []
    /// Final flushes (item removed or subscription deleted) to confirm to the workflow once sent.
    var finalFlushes: [SubscriptionItemPeriod] = []

    /// Marks every taken action done in one write, after the round carried them out.
    func markDone(in state: any BillingStateStore, at now: UnixTime) async throws {
        try await state.markActionsDone(seqs: seqs, at: now)
    }
}

/// One period of one item of a subscription, as an outbox action names it.
struct SubscriptionItemPeriod: Hashable {
    var subscriptionID: String
    var itemID: String
    var periodStart: Int64
}

extension UsageReporter {
    /// Reads the pending outbox actions. Most need nothing beyond a flush: periods, carries, locks, mode switches
    /// and shadow meters are in the subscription state the planner reads. Re-reports and final flushes need more.
    func takeActions() async throws -> TakenActions {
        var taken = TakenActions()
        var customerOf: [String: String?] = [:]
        for row in try await state.pendingActions(limit: 10_000) {
            let action: BillingAction
            switch row.action {
            case .success(let decoded):
                action = decoded
            case .failure(let error):
                // Written by a release this one cannot read: given up with the reason, visible in `status`.
                try await state.markActionFailed(seq: row.seq, error: error.description, maxAttempts: 1)
                logger.error("Outbox action cannot be read", metadata: ["outbox.seq": "\(row.seq)", "error": "\(error)"])
                continue
            }
            taken.seqs.append(row.seq)
            switch action {
            case .flush(let flush):
                if customerOf[row.subscriptionID] == nil {
                    customerOf[row.subscriptionID] = try await state.subscription(id: row.subscriptionID)?.customerID
                }
                if let customer = customerOf[row.subscriptionID] ?? nil { taken.customers.insert(customer) }
                if flush.reason == .final {
                    taken.finalFlushes.append(SubscriptionItemPeriod(subscriptionID: row.subscriptionID, itemID: flush.itemID, periodStart: flush.key.periodStart))
                }
            case .rereport(let rereport):
                taken.rereports.append((row.subscriptionID, rereport))
            case .meterErrorReported(let report):
                metrics.increment("meterbridge_meter_error_reports_total", [])
                logger.warning("Stripe reported meter event errors", metadata: [
                    "stripe.subscription.id": "\(row.subscriptionID)", "stripe.event.id": "\(report.eventID)", "stripe.meter.id": "\(report.meterID ?? "unknown")",
                ])
            case .ambiguousSnapshotTie(let kept, let other):
                logger.notice("Two snapshots of the same second were ordered by event id", metadata: [
                    "stripe.subscription.id": "\(row.subscriptionID)", "stripe.event.kept": "\(kept)", "stripe.event.other": "\(other)",
                ])
            case .openPeriod(let period):
                if catalogue.values.contains(where: { $0.aggregation == .last }) { taken.openedPeriods.append((row.subscriptionID, period)) }
            case .switchMode, .startShadowMeter, .stopShadowMeter, .lockPeriod, .carryUsage:
                // Already in the subscription state the planner reads: nothing to do beyond the round itself.
                break
            case .scheduleTimer, .cancelTimer:
                // Never in the outbox (the timers table holds them); a row of one has nothing to carry out.
                break
            }
        }
        return taken
    }

    /// Tells the state machine that a final flush reached Stripe, so the period can lock: once no report of the
    /// item's customer is still pending.
    func confirmFinalFlushes(_ flushes: [SubscriptionItemPeriod]) async throws {
        guard !flushes.isEmpty else { return }
        let now = clock.now
        for flush in Set(flushes) {
            guard let record = try await state.subscription(id: flush.subscriptionID), let customer = record.customerID else { continue }
            let outstanding = try await ledger.reports(customerID: customer).contains { $0.status.isOutstanding && $0.purpose == .usage }
            guard !outstanding else { continue }
            // Guarded: an event applied meanwhile (here or on another instance) fails this round, whose actions then
            // stay pending, and the next round confirms on top of the new state.
            _ = try await state.runWorkflow(
                [.finalFlushConfirmed(itemID: flush.itemID, periodStart: flush.periodStart)], subscriptionID: flush.subscriptionID,
                configuration: configuration.machine, now: now
            )
        }
    }
}
