/// Everything meterbridge keeps about one subscription between events: persist it (Codable)
/// with each processed event, in the same transaction as the actions it produced.
///
/// Every part merges facts in a way that does not depend on their order: the subscription-level
/// fields and each item's price are last-writer-wins on the snapshot watermark, periods and
/// invoices only grow and only move forward, schedules are last-writer-wins with finishing sticky,
/// and timers and shadow meters are re-derived from the rest after every input.
public struct SubscriptionState: Sendable, Hashable, Codable {
    public let subscriptionID: String
    public internal(set) var customerID: String?
    /// `status` of the latest snapshot (raw, so unknown values survive a round trip).
    var statusValue: String?
    public internal(set) var cancelAtPeriodEnd: Bool
    public internal(set) var cancelAt: Int64?
    /// When the subscription ended (`ended_at`; for a canceled snapshot without it, `canceled_at`
    /// or the event time).
    public internal(set) var endedAt: Int64?
    public internal(set) var scheduleID: String?
    /// `billing_mode.type` of the latest snapshot that stated one (raw; nil before any did: classic).
    var billingModeValue: String?
    /// The latest applied snapshot: older ones add history but never move these fields backwards.
    public internal(set) var watermark: SnapshotKey?
    /// Whether the latest snapshot listed all items (`items.has_more` false), so items missing
    /// from it were removed.
    var watermarkListsAllItems: Bool
    /// Sorted by id.
    public internal(set) var items: [ItemState]
    /// Renewal invoices, sorted by period end.
    public internal(set) var invoices: [InvoiceRecord]
    /// Sorted by id.
    public internal(set) var schedules: [ScheduleRecord]
    /// The timers that must be armed (derived), sorted by fire time.
    public internal(set) var timers: [BillingTimer]
    /// Items mirrored to a meter while a migration is planned (derived), sorted by item.
    public internal(set) var shadowMeters: [ShadowMeter]
    /// History before this time has been pruned; events about it are ignored.
    public internal(set) var horizon: Int64?
    /// The newest meter error report routed to this subscription.
    public internal(set) var lastMeterError: MeterErrorReport?

    /// The state of a subscription nothing is known about yet.
    public init(subscriptionID: String) {
        self.subscriptionID = subscriptionID
        self.customerID = nil
        self.statusValue = nil
        self.cancelAtPeriodEnd = false
        self.cancelAt = nil
        self.endedAt = nil
        self.scheduleID = nil
        self.billingModeValue = nil
        self.watermark = nil
        self.watermarkListsAllItems = true
        self.items = []
        self.invoices = []
        self.schedules = []
        self.timers = []
        self.shadowMeters = []
        self.horizon = nil
        self.lastMeterError = nil
    }

    /// The latest snapshot's status; nil before any snapshot was applied.
    public var status: SubscriptionStatus? {
        statusValue.map(SubscriptionStatus.init(rawValue:))
    }

    /// Whether the subscription is over: no more boundaries to prepare.
    public var hasEnded: Bool {
        endedAt != nil
    }

    /// The item with id `itemID`.
    public func item(id itemID: String) -> ItemState? {
        items.first { $0.id == itemID }
    }

    /// The index of the item with id `itemID`.
    func itemIndex(_ itemID: String) -> Int? {
        items.firstIndex { $0.id == itemID }
    }

    /// Inserts a new item keeping the id order; returns its index.
    mutating func insertItem(_ item: ItemState) -> Int {
        let index = items.firstIndex { $0.id > item.id } ?? items.endIndex
        items.insert(item, at: index)
        return index
    }
}
