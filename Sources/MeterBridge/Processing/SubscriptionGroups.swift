/// Events split by the subscription they name, as the processor and every replay apply them: one workflow run per
/// subscription, in order.
enum SubscriptionGroups {
    /// Events grouped per subscription, in order of first appearance, each group in input order; and those of none.
    static func group<Event>(
        _ events: [Event], subscription: KeyPath<Event, String?>
    ) -> (order: [String], groups: [String: [Event]], unrouted: [Event]) {
        var order: [String] = []
        var groups: [String: [Event]] = [:]
        var unrouted: [Event] = []
        for event in events {
            guard let id = event[keyPath: subscription] else {
                unrouted.append(event)
                continue
            }
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(event)
        }
        return (order, groups, unrouted)
    }
}
