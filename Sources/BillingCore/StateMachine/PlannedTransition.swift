/// A price change a schedule plans for an item at a phase start (derived from the schedule and the
/// items; pending until a subscription snapshot from the phase start on is applied).
public struct PlannedTransition: Sendable, Hashable {
    public var scheduleID: String
    /// The phase's `start_date`.
    public var effectiveAt: Int64
    /// The item currently on `fromPriceID`, when known.
    public var itemID: String?
    public var productID: String?
    public var fromPriceID: String?
    public var toPriceID: String
    public var fromMode: ReportingMode?
    /// Known when the phase price was expanded or the price was seen on an item before.
    public var toMode: ReportingMode?

    /// A legacy metered price replaced by a meter price: the migration docs/billing-rules.md describes.
    public var isMeterMigration: Bool {
        fromMode == .legacy && toMode == .meter
    }
}
