import BillingCore

/// A report's channel as the `usage_reports` columns hold it (`channel`, `subscription_id`, `item_id`, `action`,
/// `event_name`), in both stores.
public struct ReportChannelColumns: Sendable {
    public var channel: String
    public var subscriptionID: String?
    public var itemID: String?
    public var action: String?
    public var eventName: String?

    public init(_ channel: PlannedReport.Channel) {
        switch channel {
        case .usageRecord(let subscription, let item, let action):
            self.channel = "usage_record"
            subscriptionID = subscription
            itemID = item
            self.action = action.rawValue
        case .meterEvent(let eventName):
            self.channel = "meter_event"
            self.eventName = eventName
        }
    }

    public init(channel: String, subscriptionID: String?, itemID: String?, action: String?, eventName: String?) {
        self.channel = channel
        self.subscriptionID = subscriptionID
        self.itemID = itemID
        self.action = action
        self.eventName = eventName
    }

    /// The channel these columns describe.
    public var plannedChannel: PlannedReport.Channel {
        channel == "usage_record"
            ? .usageRecord(subscriptionID: subscriptionID ?? "", itemID: itemID ?? "", action: UsageRecordAction(rawValue: action ?? "") ?? .increment)
            : .meterEvent(eventName: eventName ?? "")
    }
}
