/// The move of an item from legacy usage records to meter events.
enum MigrationSettings {
    static let shadowMeter = Setting<Bool>.boolean(
        "migration.shadow_meter", environment: "MB_SHADOW_METER", default: true,
        summary: "mirror legacy usage as meter events while a schedule plans the move to a meter price", at: \.migration.shadowMeter
    )
    static let midcycleRereport = Setting<Bool>.boolean(
        "migration.midcycle_rereport", environment: "MB_MIDCYCLE_REREPORT", default: true,
        summary: "re-report the usage Stripe drops when an item's price changes mid-cycle", at: \.migration.midcycleRereport
    )

    static let all: [any ParsedSetting] = [shadowMeter, midcycleRereport]
}
