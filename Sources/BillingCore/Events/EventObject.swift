/// The typed view of an event's object, chosen by `data.object.object` (or the thin event itself).
public enum EventObject: Sendable, Equatable {
    case subscription(Subscription)
    case invoice(Invoice)
    case subscriptionSchedule(SubscriptionSchedule)
    case thin(ThinEvent)
    /// An object meterbridge does not model (customer, charge, …), by its `object` name.
    case other(String?)
}

extension StripeEvent {
    /// Decodes the typed view for this event's object; unknown objects are `.other`, not errors.
    public func decodeObject() throws(EventDecodingError) -> EventObject {
        if isThin { return .thin(try ThinEvent(json, eventID: id)) }
        switch dataObjectType {
        case "subscription": return .subscription(try Subscription(dataObject, eventID: id))
        case "invoice": return .invoice(try Invoice(dataObject, eventID: id))
        case "subscription_schedule": return .subscriptionSchedule(try SubscriptionSchedule(dataObject, eventID: id))
        case let other: return .other(other)
        }
    }
}
