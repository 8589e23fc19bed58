/// An invoice seen for the subscription that bills item periods: a renewal (`billing_reason: subscription_cycle`) bills
/// the item periods that start inside `period` (the period that ended); any other invoice of the subscription (an
/// anchor reset, a cancellation that invoices now) bills those that start inside it and had ended by its end.
public struct InvoiceRecord: Sendable, Hashable, Codable {
    public let id: String
    public let period: BillingPeriod
    public internal(set) var stage: InvoiceStage
    /// `billing_reason` (raw); nil in records stored before it was kept, which were all renewals.
    public private(set) var reason: String?
    /// The draft's `automatically_finalizes_at`, from the latest event that stated one: the deadline for late meter
    /// usage of the periods it bills.
    public private(set) var finalizesAt: Int64?
    /// `created` of the event `finalizesAt` came from (Stripe can reschedule the finalization of a draft).
    private var finalizesAtSeenAt: Int64?

    init(id: String, period: BillingPeriod, stage: InvoiceStage, reason: InvoiceBillingReason? = nil) {
        self.id = id
        self.period = period
        self.stage = stage
        self.reason = reason.flatMap { $0 == .subscriptionCycle ? nil : $0.rawValue }
    }

    /// Whether the invoice is a renewal, which bills the period that ended at its `period_end`.
    public var isRenewal: Bool { reason == nil }

    /// Whether the invoice bills the local period starting at `start`, which really ends at `end` and which other facts
    /// show `ended` (a later period, the item's removal, the subscription's end) or not.
    func bills(periodStartingAt start: Int64, endingAt end: Int64, ended: Bool) -> Bool {
        guard period.start <= start && start < period.end else { return false }
        // A renewal reveals the boundary itself (its draft may come before the subscription update). Another invoice
        // (a proration invoiced at once has a period too) bills a period only once the facts show it ended by then.
        return isRenewal || (ended && end <= period.end)
    }

    /// Records the draft's scheduled finalization from an event created at `created`; returns true when it changed.
    mutating func observeFinalization(at finalizesAt: Int64?, created: Int64) -> Bool {
        guard let finalizesAt, (created, finalizesAt) > (finalizesAtSeenAt ?? Int64.min, self.finalizesAt ?? Int64.min) else { return false }
        self.finalizesAt = finalizesAt
        finalizesAtSeenAt = created
        return true
    }

    /// Canonical order: by period end, then id.
    static func canonicalOrder(_ lhs: InvoiceRecord, _ rhs: InvoiceRecord) -> Bool {
        (lhs.period.end, lhs.id) < (rhs.period.end, rhs.id)
    }
}
