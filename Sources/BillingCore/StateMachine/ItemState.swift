/// One subscription item as the state machine knows it: its price (from the newest snapshot that
/// lists it), its local periods, and when it left the subscription.
public struct ItemState: Sendable, Hashable, Codable {
    public let id: String
    public private(set) var priceID: String
    public private(set) var productID: String?
    /// The billing meter behind a meter price (routes `v1.billing.meter.error_report_triggered`).
    public private(set) var meterID: String?
    public private(set) var mode: ReportingMode
    /// The usage-record action of a legacy price (`increment` or `set`).
    public private(set) var usageAction: UsageRecordAction?
    /// The newest snapshot listing the item: its price fields are last-writer-wins on this key.
    public private(set) var seen: SnapshotKey
    /// Whether a complete listing newer than any listing of the item lacks it.
    public private(set) var isRemoved: Bool
    /// The update that removed the item, when seen: its `previous_attributes` list the item.
    public private(set) var removal: ItemRemoval?
    /// Sorted by start; each start appears once.
    public internal(set) var periods: [LocalPeriod]

    init(_ item: SubscriptionItem, seen: SnapshotKey) {
        self.id = item.id
        self.priceID = item.price.id
        self.productID = item.price.productID
        self.meterID = item.price.recurring?.meterID
        self.mode = item.price.reportingMode
        self.usageAction = item.price.legacyUsageAction
        self.seen = seen
        self.isRemoved = false
        self.removal = nil
        self.periods = []
    }

    /// The price fields an observation replaced.
    struct PriceChange {
        var priceID: String
        var mode: ReportingMode
        /// The start of the item's latest period before the observation.
        var latestStart: Int64?
    }

    /// Takes the price from `item` when `key` is newer than the snapshot it came from; returns what
    /// changed, nil when the observation is older or the price is the same.
    mutating func observePrice(of item: SubscriptionItem, key: SnapshotKey) -> PriceChange? {
        guard key > seen else { return nil }
        seen = key
        let previous = PriceChange(priceID: priceID, mode: mode, latestStart: periods.last?.start)
        let price = item.price
        priceID = price.id
        productID = price.productID
        meterID = price.recurring?.meterID
        mode = price.reportingMode
        usageAction = price.legacyUsageAction
        return previous.priceID == priceID ? nil : previous
    }

    /// Merges a reported period; returns true when it is new. A period that ended by `horizon` is
    /// history already pruned: ignored.
    mutating func observePeriod(_ period: BillingPeriod, seenAt: Int64, mode: ReportingMode, paused: Bool = false, horizon: Int64?) -> Bool {
        if let index = periods.firstIndex(where: { $0.start == period.start }) {
            periods[index].observe(end: period.end, seenAt: seenAt, modes: ModeSet(mode), paused: paused)
            return false
        }
        if let horizon, period.end <= horizon { return false }
        let insertAt = periods.firstIndex { $0.start > period.start } ?? periods.endIndex
        var new = LocalPeriod(start: period.start, end: period.end, seenAt: seenAt, modes: ModeSet(mode))
        if paused { new.sawPause = true }
        periods.insert(new, at: insertAt)
        return true
    }

    /// Records that a complete listing newer than the item's latest lacks it. Without the removing
    /// update itself the time and the last period are unknown (a later fact could reveal them), so
    /// this only ends the item's periods.
    mutating func markRemoved() {
        isRemoved = true
    }

    /// Records the update that removed the item (the earliest, should there be two).
    mutating func markRemoved(by removal: ItemRemoval) {
        isRemoved = true
        if self.removal.map({ removal < $0 }) ?? true { self.removal = removal }
    }

    /// When the removing update happened, if seen.
    public var removedAt: Int64? { removal?.at }

    /// The period with this start.
    public func period(startingAt start: Int64) -> LocalPeriod? {
        periods.first { $0.start == start }
    }
}
