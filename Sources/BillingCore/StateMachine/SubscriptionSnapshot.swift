/// A `customer.subscription.*` event as the state machine sees it: the snapshot, the event's
/// identity and time (for the watermark), and what `previous_attributes` says about the moment before.
public struct SubscriptionSnapshot: Sendable, Equatable {
    public var eventID: String
    /// The event's `created` (unix seconds): the snapshot's time.
    public var created: Int64
    public var subscription: Subscription
    /// `previous_attributes.items.data`: the items just before this update, when Stripe sent them
    /// (it does whenever an item, its price or, from basil on, its period changed).
    public var previousItems: [SubscriptionItem]?
    /// `previous_attributes.current_period_start/_end` (acacia and earlier), when sent.
    public var previousPeriod: BillingPeriod?

    public init(
        eventID: String,
        created: Int64,
        subscription: Subscription,
        previousItems: [SubscriptionItem]? = nil,
        previousPeriod: BillingPeriod? = nil
    ) {
        self.eventID = eventID
        self.created = created
        self.subscription = subscription
        self.previousItems = previousItems
        self.previousPeriod = previousPeriod
    }

    /// Reads the snapshot and its previous attributes from a decoded event.
    public init(event: StripeEvent) throws(EventDecodingError) {
        guard case .subscription(let subscription) = try event.decodeObject() else {
            throw .wrongType("data.object.object", expected: "subscription", found: event.dataObjectType ?? "null", eventID: event.id)
        }
        self.init(eventID: event.id, created: event.created, subscription: subscription)
        guard let previous = event.previousAttributes else { return }
        if let elements = previous["items"]?["data"]?.arrayValue {
            var items: [SubscriptionItem] = []
            for (index, element) in elements.enumerated() {
                let path = "data.previous_attributes.items.data[\(index)]"
                items.append(try SubscriptionItem(element, eventID: event.id, path: path))
            }
            self.previousItems = items
        }
        self.previousPeriod = BillingPeriod(
            start: previous["current_period_start"]?.int64Value,
            end: previous["current_period_end"]?.int64Value
        )
    }
}
