/// The deterministic id of a timer: one per subscription, kind and boundary, so re-deriving the
/// timers never duplicates one. Its text form is `sub_…/<kind>/<boundary>`.
public struct BillingTimerID: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    public var subscriptionID: String
    public var kind: TimerKind
    /// The boundary the timer prepares (unix seconds), not the time it fires.
    public var boundary: Int64

    public init(subscriptionID: String, kind: TimerKind, boundary: Int64) {
        self.subscriptionID = subscriptionID
        self.kind = kind
        self.boundary = boundary
    }

    /// Parses the text form; nil when it is not one.
    public init?(_ description: String) {
        let parts = description.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let kind = TimerKind(rawValue: String(parts[1])), let boundary = Int64(parts[2]) else {
            return nil
        }
        self.init(subscriptionID: String(parts[0]), kind: kind, boundary: boundary)
    }

    public var description: String {
        "\(subscriptionID)/\(kind.rawValue)/\(boundary)"
    }
}
