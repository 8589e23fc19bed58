/// The routing keys of an event, computed the same way by the envelope's hot path and by the full
/// decode so that both always agree.
enum EventRouting {
    /// The object type of thin (v2) events.
    static let thinObject = "v2.core.event"

    /// The subscription an event belongs to: a subscription's own id; otherwise the object's
    /// `subscription` (invoices up to acacia, schedules, invoice items), from basil on
    /// `parent.subscription_details.subscription`, and for a released schedule, which no longer
    /// has `subscription`, its `released_subscription` (whose planned transitions must be dropped).
    static func subscriptionID(
        objectType: String?,
        objectID: String?,
        subscriptionField: String?,
        parentSubscription: String?,
        releasedSubscription: String?
    ) -> String? {
        if objectType == "subscription" { return objectID }
        return subscriptionField ?? parentSubscription ?? releasedSubscription
    }

    /// The customer an event belongs to: a customer's own id, else the object's `customer`.
    static func customerID(objectType: String?, objectID: String?, customerField: String?) -> String? {
        if objectType == "customer" { return objectID }
        return customerField
    }

    /// The id of an expandable reference, leniently: routing must never reject an event, so a
    /// value of an unexpected shape routes nowhere instead of failing.
    static func lenientID(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let id)?: return id
        case .object(let object)?: return object["id"]?.stringValue
        default: return nil
        }
    }
}
