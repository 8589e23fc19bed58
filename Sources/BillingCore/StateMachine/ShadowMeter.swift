/// An item whose legacy usage is mirrored as meter events until a planned switch.
public struct ShadowMeter: Sendable, Hashable, Codable {
    public var itemID: String
    /// The phase start at which the meter price takes over.
    public var until: Int64

    public init(itemID: String, until: Int64) {
        self.itemID = itemID
        self.until = until
    }
}
