/// A `v1.billing.meter.error_report_triggered` thin event: Stripe could not process some meter
/// events. It carries no snapshot, only the meter it concerns.
public struct MeterErrorReport: Codable, Sendable, Hashable {
    public var eventID: String
    public var created: Int64
    /// `related_object.id` when it is a `billing.meter`.
    public var meterID: String?

    public init(eventID: String, created: Int64, meterID: String?) {
        self.eventID = eventID
        self.created = created
        self.meterID = meterID
    }

    /// Reads the report from a decoded thin event.
    public init(event: StripeEvent) throws(EventDecodingError) {
        guard case .thin(let thin) = try event.decodeObject() else {
            throw .wrongType("object", expected: "v2.core.event", found: event.object, eventID: event.id)
        }
        let related = thin.relatedObject
        self.init(eventID: thin.id, created: thin.created, meterID: related?.type == "billing.meter" ? related?.id : nil)
    }

    /// Whether this report is newer than `other` (by `created`, then event id, so the order is total).
    func isNewer(than other: MeterErrorReport) -> Bool {
        (created, eventID) > (other.created, other.eventID)
    }
}
