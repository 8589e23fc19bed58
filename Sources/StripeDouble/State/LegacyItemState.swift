import BillingCore

/// One subscription item's legacy usage as Stripe keeps it: a quantity per usage-record
/// timestamp, the current period, and the periods already invoiced.
struct LegacyItemState: Sendable {
    /// A period that has ended, with the invoice that billed it.
    struct ClosedPeriod: Sendable {
        var period: BillingPeriod
        var invoice: String
    }

    /// The quantity Stripe holds at one timestamp, and the price it was reported against.
    struct Slot: Sendable {
        var quantity: Int64
        var priceID: String
        /// Order of the last write, to break ties between equal timestamps for `last_*`.
        var sequence: Int
    }

    var seed: SubscriptionItemSeed
    var closedPeriods: [ClosedPeriod] = []
    /// Keyed by usage-record timestamp. Stripe's `action=increment` adds to the quantity at that
    /// timestamp and `action=set` overwrites it ("The set action will overwrite the usage
    /// quantity at that timestamp", API reference, usage records).
    var slots: [Int64: Slot] = [:]
    var deleted = false

    init(seed: SubscriptionItemSeed) {
        self.seed = seed
    }

    mutating func apply(quantity: Int64, at timestamp: Int64, action: UsageRecordAction, sequence: Int) {
        let priceID = seed.price.id
        switch action {
        case .increment:
            // A slot written under an earlier price is not billed any more, so start it afresh.
            let previous = slots[timestamp].flatMap { $0.priceID == priceID ? $0.quantity : nil } ?? 0
            slots[timestamp] = Slot(quantity: previous + quantity, priceID: priceID, sequence: sequence)
        case .set:
            slots[timestamp] = Slot(quantity: quantity, priceID: priceID, sequence: sequence)
        }
    }

    /// What Stripe bills for `period` under the item's current price and `aggregate_usage`.
    /// Usage reported against an earlier price is not billed: "If you change the price mid-cycle,
    /// Stripe bills only usage reported after the update".
    func billed(in period: BillingPeriod) -> Int64 {
        let priceID = seed.price.id
        let billable = slots.filter { $0.value.priceID == priceID }
        let inPeriod = billable.filter { period.contains($0.key) }
        switch seed.price.recurring?.aggregateUsage ?? .sum {
        case .sum, .unknown:
            return inPeriod.values.reduce(0) { $0 + $1.quantity }
        case .max:
            return inPeriod.values.map(\.quantity).max() ?? 0
        case .lastDuringPeriod:
            return Self.latest(inPeriod)?.quantity ?? 0
        case .lastEver:
            // The latest record up to the period's end, whichever period it was reported in.
            return Self.latest(billable.filter { $0.key < period.end })?.quantity ?? 0
        }
    }

    /// All periods, newest first, as usage record summaries list them; the current one has no invoice.
    var periodsNewestFirst: [(period: BillingPeriod, invoice: String?)] {
        [(seed.currentPeriod, nil)] + closedPeriods.reversed().map { ($0.period, $0.invoice) }
    }

    private static func latest(_ slots: [Int64: Slot]) -> Slot? {
        slots.max { ($0.key, $0.value.sequence) < ($1.key, $1.value.sequence) }?.value
    }
}
