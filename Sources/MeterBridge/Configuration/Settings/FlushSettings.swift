/// When usage is reported: the regular interval, the lead before known boundaries, and how much is planned at once.
enum FlushSettings {
    static let interval = Setting<Int64>.integer(
        "flush.interval", environment: "MB_FLUSH_INTERVAL", default: 60, in: 1...86_400,
        unit: "seconds", summary: "time between regular reports", at: \.flush.interval
    )
    static let boundaryLead = Setting<Int64>.integer(
        "flush.boundary_lead", environment: "MB_BOUNDARY_LEAD", default: 300, in: 0...86_400,
        unit: "seconds", summary: "how long before a known period boundary the pre-boundary flush runs", at: \.flush.boundaryLead
    )
    static let subscriptionGrace = Setting<Int64>.integer(
        "flush.subscription_grace", environment: "MB_SUBSCRIPTION_GRACE", default: 300, in: 0...86_400, unit: "seconds",
        summary: "how long meter usage of a product no known subscription has waits for one before it goes out as customer meter events",
        at: \.flush.subscriptionGrace
    )
    static let planningWindow = Setting<Int>.integer(
        "flush.planning_window", environment: "MB_PLANNING_WINDOW", default: 300_000, in: 1...10_000_000, unit: "usage records",
        summary: "pending usage records planned at once (about 100 bytes each in memory): one report per item per flush while no more is pending",
        at: \.flush.planningWindow
    )

    static let all: [any ParsedSetting] = [interval, boundaryLead, subscriptionGrace, planningWindow]
}
