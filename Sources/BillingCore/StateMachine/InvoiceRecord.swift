/// A renewal invoice (`billing_reason: subscription_cycle`) seen for the subscription: it bills
/// the item periods that start inside `period` (the period that ended).
public struct InvoiceRecord: Sendable, Hashable, Codable {
    public let id: String
    public let period: BillingPeriod
    public internal(set) var stage: InvoiceStage

    init(id: String, period: BillingPeriod, stage: InvoiceStage) {
        self.id = id
        self.period = period
        self.stage = stage
    }

    /// Whether the invoice bills the local period starting at `start`.
    func bills(periodStartingAt start: Int64) -> Bool {
        period.start <= start && start < period.end
    }

    /// Canonical order: by period end, then id.
    static func canonicalOrder(_ lhs: InvoiceRecord, _ rhs: InvoiceRecord) -> Bool {
        (lhs.period.end, lhs.id) < (rhs.period.end, rhs.id)
    }
}
