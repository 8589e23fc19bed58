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
    /// The item's value is a `last_ever` one: a legacy price with `aggregate_usage=last_ever`, or a meter price that
    /// replaced one. A meter's `last` covers one period, so such a meter item's latest value is sent again in each
    /// new period, or a period without a new value would bill 0.
    public private(set) var carriesLatestValue: Bool?

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
        self.carriesLatestValue = item.price.recurring?.aggregateUsage == .lastEver ? true : nil
    }

    /// Records a snapshot's view of the price. Only the latest period keeps sightings (only its switches matter to
    /// usage still to come), and none older than the retained history: so every delivery order keeps the same ones.
    mutating func recordSighting(_ sighting: PriceSighting, in period: BillingPeriod?, horizon: Int64?) {
        guard sighting.mode != .none, sighting.created >= horizon ?? .min, let period, let last = periods.indices.last else { return }
        for index in periods.indices where index != last && periods[index].sightings != nil { periods[index].sightings = nil }
        guard periods[last].start == period.start else { return }
        _ = periods[last].record(sighting)
    }

    /// A meter item that replaced `old` takes over its `last_ever` lineage.
    mutating func inheritLatestValue(from old: ItemState) {
        if mode == .meter, old.carriesLatestValue == true { carriesLatestValue = true }
    }

    /// `created` of the earliest snapshot of the latest period that lists the item: when it joined the subscription,
    /// if that was in the period.
    public var firstSeenAt: Int64? { periods.last?.sightings?.first?.created }

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
        // A meter price keeps the lineage of the legacy price it replaced; any other price sets it afresh.
        if mode != .meter { carriesLatestValue = price.recurring?.aggregateUsage == .lastEver ? true : nil }
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
