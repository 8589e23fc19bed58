import BillingCore
import BillingStore
import Logging
import Foundation

/// The outbox actions a flush round took, and what they ask of it.
struct TakenActions {
    var actions: [OutboxAction] = []
    /// Customers whose usage a boundary flush asked for.
    var customers: Set<String> = []
    var rereports: [RereportRequest] = []
    var finalFlushes: [FinalFlush] = []

    /// Marks every taken action done, after the round carried them out.
    func markDone(in state: any BillingStateStore, at now: Int64) async throws {
        for action in actions { try await state.markActionDone(seq: action.seq, at: now) }
    }
}

/// A mid-cycle switch's re-report of an item's period-to-date usage.
struct RereportRequest: Hashable {
    var subscriptionID: String
    var itemID: String
    var periodStart: Int64
}

/// A final flush (item removed or subscription deleted) that must be confirmed to the state machine once sent.
struct FinalFlush: Hashable {
    var subscriptionID: String
    var itemID: String
    var periodStart: Int64
}

extension UsageReporter {
    /// Reads the pending outbox actions. Most need nothing beyond a flush: periods, carries, locks, mode switches
    /// and shadow meters are in the subscription state the planner reads. Re-reports and final flushes need more.
    func takeActions() async throws -> TakenActions {
        var taken = TakenActions()
        taken.actions = try await state.pendingActions(limit: 10_000)
        var customerOf: [String: String?] = [:]
        for action in taken.actions {
            let record = try? ActionRecord.decode(action.payload)
            switch action.kind {
            case "flush":
                if customerOf[action.subscriptionID] == nil {
                    customerOf[action.subscriptionID] = try await state.subscription(id: action.subscriptionID)?.customerID
                }
                if let customer = customerOf[action.subscriptionID] ?? nil { taken.customers.insert(customer) }
                if record?.reason == FlushReason.final.rawValue, let item = record?.itemID, let start = record?.periodStart {
                    taken.finalFlushes.append(FinalFlush(subscriptionID: action.subscriptionID, itemID: item, periodStart: start))
                }
            case "rereport":
                if let item = record?.itemID, let start = record?.periodStart {
                    taken.rereports.append(RereportRequest(subscriptionID: action.subscriptionID, itemID: item, periodStart: start))
                }
            case "meter_error_reported":
                metrics.increment("meterbridge_meter_error_reports_total", [])
                logger.warning("Stripe reported meter event errors", metadata: ["stripe.subscription.id": "\(action.subscriptionID)", "detail": "\(record?.detail ?? "")"])
            case "ambiguous_snapshot_tie":
                logger.notice("Two snapshots of the same second were ordered by event id", metadata: ["detail": "\(record?.detail ?? "")"])
            default:
                break
            }
        }
        return taken
    }

    /// Tells the state machine that a final flush reached Stripe, so the period can lock: once no report of the
    /// item's customer is still pending.
    func confirmFinalFlushes(_ flushes: [FinalFlush]) async throws {
        guard !flushes.isEmpty else { return }
        let nowMs = clock.nowMilliseconds()
        for flush in Set(flushes) {
            guard let record = try await state.subscription(id: flush.subscriptionID), let customer = record.customerID else { continue }
            let outstanding = try await ledger.reports(customerID: customer).contains { $0.status != .sent && $0.purpose == .usage }
            guard !outstanding else { continue }
            var step = try SubscriptionStep(subscriptionID: flush.subscriptionID, stored: record, configuration: configuration.machine, nowMs: nowMs)
            step.confirmFinalFlush(itemID: flush.itemID, periodStart: flush.periodStart)
            // Guarded: an event applied meanwhile (here or on another instance) fails this round, whose actions then
            // stay pending, and the next round confirms on top of the new state.
            try await state.commit(try step.commit(), ifStateIs: record.state)
        }
    }
}
