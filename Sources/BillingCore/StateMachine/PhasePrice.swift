/// A price of a schedule phase, with what is known about it from the payload (an expanded price).
public struct PhasePrice: Sendable, Hashable, Codable {
    public var id: String
    public var productID: String?
    /// The reporting mode when the price was expanded; otherwise resolved from prices seen on items.
    public var mode: ReportingMode?

    public init(id: String, productID: String? = nil, mode: ReportingMode? = nil) {
        self.id = id
        self.productID = productID
        self.mode = mode
    }

    init(_ item: SchedulePhaseItem) {
        self.init(id: item.priceID, productID: item.price?.productID, mode: item.price?.reportingMode)
    }
}
