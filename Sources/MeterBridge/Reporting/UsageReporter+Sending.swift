import BillingCore
import BillingStore
import Logging
import StripeAPI

extension UsageReporter {
    /// Sends every due report, several at once; returns how many Stripe took and how many failed.
    func sendDueReports() async throws -> (sent: Int, failed: Int) {
        var sent = 0, failed = 0
        while true {
            let due = try await ledger.dueReports(at: clock.now, limit: 1000)
            guard !due.isEmpty else { break }
            // Stripe's key window starts with the first attempt.
            try await ledger.markReportsAttempted(ids: due.filter { $0.firstAttemptAt == nil }.map(\.id), at: clock.now)
            var failedThisRound = 0
            // Reports past the key window one at a time, before the rest: each one's check counts the ones before it.
            let now = clock.now
            for report in due where outlivedKeyWindow(report, now: now) {
                if try await send(report) { sent += 1 } else { failedThisRound += 1 }
            }
            try await withThrowingTaskGroup(of: Bool.self) { group in
                var running = 0
                for report in due where !outlivedKeyWindow(report, now: now) {
                    if running == configuration.concurrency {
                        if try await group.next() == true { sent += 1 } else { failedThisRound += 1 }
                        running -= 1
                    }
                    group.addTask { try await send(report) }
                    running += 1
                }
                for try await delivered in group {
                    if delivered { sent += 1 } else { failedThisRound += 1 }
                }
            }
            failed += failedThisRound
            // Failed reports wait for their backoff; anything else due now was just created by this round.
            if failedThisRound == due.count { break }
        }
        return (sent, failed)
    }

    /// Sends one report; true when Stripe has it (now or, with a duplicate identifier or as its summaries show, before).
    private func send(_ report: UsageReportRow) async throws -> Bool {
        guard let client else { return false }
        let now = clock.now
        if outlivedKeyWindow(report, now: now) {
            switch try await keyWindowVerdict(report, client: client) {
            case .send:
                break
            case .landed:
                logger.notice("Usage report found in Stripe's summaries after the key window; marked sent", metadata: ["report.key": "\(report.key)"])
                try await markSent(report)
                return true
            case .unknown(let reason, let retryable):
                try await holdUnverified(report, reason: reason, retryable: retryable, now: now)
                return false
            }
        }
        do throws(StripeCallError) {
            try await deliver(report, with: client)
        } catch {
            status.failed(at: now, error: error.description)
            try await handleFailure(of: report, error, now: now)
            return false
        }
        try await markSent(report)
        return true
    }

    private func markSent(_ report: UsageReportRow) async throws {
        try await ledger.markReportSent(id: report.id, at: clock.now)
        status.succeeded(at: clock.now)
        metrics.increment("meterbridge_usage_reported_total", [("metric", report.metric), ("purpose", report.purpose.rawValue)], by: report.quantity)
    }

    /// A report past the key window whose fate Stripe's summaries cannot tell: retried later, or a dead letter an
    /// operator resolves (`reconcile`, then `flush --retry-dead`), never sent blindly.
    private func holdUnverified(_ report: UsageReportRow, reason: String, retryable: Bool, now: UnixTime) async throws {
        let error = "first attempt over \(configuration.keyWindow) ago, older than Stripe keeps its key; not sent again blindly: \(reason)"
        if retryable {
            let delay = RetryBackoff.delay(afterAttempt: report.attempts + 1, jitter: Double.random(in: 0..<1))
            try await ledger.markReportFailed(id: report.id, error: error, retryAt: now + delay)
            return
        }
        try await ledger.markReportFailed(id: report.id, error: error + "; check it with `meterbridge reconcile`, then `meterbridge flush --retry-dead` sends it", retryAt: nil)
        metrics.increment("meterbridge_usage_dead_total", [("metric", report.metric)], by: report.quantity)
        logger.error("Usage report past Stripe's key window cannot be checked; dead letter", metadata: ["report.key": "\(report.key)", "reason": "\(reason)"])
    }

    /// The Stripe call of a report, with the report's key: the same on every retry, so Stripe counts it once.
    private func deliver(_ report: UsageReportRow, with client: any StripeUsageClient) async throws(StripeCallError) {
        switch report.channel {
        case .usageRecord(_, let itemID, let action):
            _ = try await client.createUsageRecord(
                subscriptionItem: itemID, quantity: report.quantity, timestamp: report.timestamp, action: action, idempotencyKey: report.key
            )
        case .meterEvent(let eventName):
            // A duplicate identifier comes back as `alreadyDelivered`: Stripe has the event from an earlier attempt.
            _ = try await client.createMeterEvent(
                eventName: eventName, customer: report.customerID, value: report.quantity, timestamp: report.timestamp, identifier: report.key
            )
        }
    }

    private func handleFailure(of report: UsageReportRow, _ error: StripeCallError, now: UnixTime) async throws {
        if error.shouldRetry {
            let delay = RetryBackoff.delay(afterAttempt: report.attempts + 1, jitter: Double.random(in: 0..<1))
            try await ledger.markReportFailed(id: report.id, error: error.description, retryAt: now + delay)
            logger.warning("Usage report failed; will retry", metadata: ["report.key": "\(report.key)", "error": "\(error)"])
            return
        }
        if case .usageRecord = report.channel, report.purpose == .usage, error.isItemOnMeterPrice {
            // Stripe moved the item's price to a meter while the report was in flight: the records go back to the ledger
            // and are planned again in the item's new mode once its webhook is applied. The row is `replanned`, never
            // sent again (not even by `flush --retry-dead`), so the usage is billed once.
            try await ledger.abandonReport(id: report.id, reason: "the item's price moved to a meter before Stripe took the usage record; replanned: \(error.description)")
            logger.warning("Usage record refused for an item now on a meter price; replanning its usage", metadata: ["report.key": "\(report.key)"])
            return
        }
        if case .usageRecord = report.channel, report.purpose == .usage, let period = report.period, now.seconds >= period.end {
            // The period ended before Stripe took the record, and Stripe refuses back-dated usage records: the
            // records go back to the ledger and the next plan carries them into the current period.
            try await ledger.abandonReport(id: report.id, reason: "period ended before delivery; usage carried: \(error.description)")
            logger.warning("Legacy usage missed its period; carrying it", metadata: ["report.key": "\(report.key)"])
            return
        }
        try await ledger.markReportFailed(id: report.id, error: error.description, retryAt: nil)
        metrics.increment("meterbridge_usage_dead_total", [("metric", report.metric)], by: report.quantity)
        logger.error("Usage report refused by Stripe; dead letter", metadata: ["report.key": "\(report.key)", "error": "\(error)"])
    }
}
