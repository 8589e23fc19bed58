/// One local billing period of an item: its bounds as Stripe reported them, its state, and the
/// obligations already met for it (flushes emitted, usage carried).
public struct LocalPeriod: Sendable, Hashable, Codable {
    /// The period's identity within its item.
    public internal(set) var start: Int64
    /// The end as Stripe last reported it; see `SubscriptionState.effectivePeriod` for the end
    /// after a removal, a cancellation or a reset cycle.
    public internal(set) var end: Int64
    /// `created` of the snapshot that reported `end` (the later report wins, then the later end).
    var endSeenAt: Int64
    public internal(set) var state: PeriodState
    /// The invoice that bills the period, once seen.
    public internal(set) var invoiceID: String?
    /// When Stripe will finalize that invoice (`automatically_finalizes_at` of its draft): meter usage of the period
    /// reported after it is not billed in it, so it is carried into the current period instead.
    public internal(set) var finalizesAt: Int64?
    public internal(set) var modes: ModeSet
    public internal(set) var flushed: FlushReasons
    /// Whether the usage left in the period was carried forward.
    public internal(set) var carried: Bool
    /// The item's price as each snapshot of the period showed it, in snapshot order.
    public internal(set) var sightings: [PriceSighting]?
    /// True once a snapshot listing the period said the subscription was `paused` (nil otherwise, and in states stored
    /// before it was kept). Stripe invoices nothing while paused, so late meter usage is not sent into such a period.
    public internal(set) var sawPause: Bool?

    init(start: Int64, end: Int64, seenAt: Int64, modes: ModeSet) {
        self.start = start
        self.end = end
        self.endSeenAt = seenAt
        self.state = .open
        self.invoiceID = nil
        self.finalizesAt = nil
        self.modes = modes
        self.flushed = []
        self.carried = false
    }

    /// Merges another report of the same period.
    mutating func observe(end newEnd: Int64, seenAt: Int64, modes newModes: ModeSet, paused: Bool = false) {
        modes.formUnion(newModes)
        if paused { sawPause = true }
        if (seenAt, newEnd) > (endSeenAt, end) {
            end = newEnd
            endSeenAt = seenAt
        }
    }

    /// Moves the state forward to `target`; returns true when this locked the period.
    mutating func raise(to target: PeriodState) -> Bool {
        guard target > state else { return false }
        state = target
        return target == .locked
    }

    /// Records a flush; returns false when it was already emitted.
    mutating func markFlushed(_ reason: FlushReason) -> Bool {
        flushed.insert(FlushReasons(reason)).inserted
    }

    /// The latest mid-cycle price change of the period: the update after which the price differs from the one
    /// before it, in snapshot order. Stripe's classic mode bills the new price only for usage stamped from the
    /// switch on, so usage of the period reported later is stamped no earlier. A function of the sightings alone,
    /// so every delivery order of the same updates gives the same answer.
    public var billsFrom: Int64? {
        guard let sightings, sightings.count > 1 else { return nil }
        return Array(zip(sightings, sightings.dropFirst())).last { $0.priceID != $1.priceID && $1.created > start }?.1.created
    }

    /// Adds a snapshot's view of the price; false when that snapshot was seen already.
    mutating func record(_ sighting: PriceSighting) -> Bool {
        var all = sightings ?? []
        guard !all.contains(where: { $0.isSameView(as: sighting) }) else { return false }
        all.insert(sighting, at: all.firstIndex { sighting < $0 } ?? all.endIndex)
        sightings = all
        return true
    }

    /// Drops sightings of snapshots older than the retained history.
    mutating func forgetSightings(before horizon: Int64) {
        guard let all = sightings, all.contains(where: { $0.created < horizon }) else { return }
        sightings = all.filter { $0.created >= horizon }
    }

    /// The period's bounds as Stripe reported them.
    public var reported: BillingPeriod { BillingPeriod(start: start, end: end) }
}
