/// A feature a simulated story can exercise; every story records the variants it used, for the coverage table and
/// for excluding the variants today's code is known to fail.
enum SimulationVariant: String, CaseIterable, Comparable, Sendable {
    case acacia, basil
    case renewal
    case scheduleMigration
    case switchLegacyToMeter, switchMeterToMeter, switchMeterToLegacy, switchLegacyToLegacy
    case replaceItemOneUpdate, replaceItemTwoUpdates
    case flexibleMode
    case cancelAtPeriodEnd, cancelImmediately
    case anchorReset
    case sumMetric, lastMetric, lastMetricSwitch, lastEverMigration
    case usageWithID, duplicateID, idlessUsage, idlessRepeat, usagePendingAtChange
    case lateLegacyUsage, switchAfterCarriedUsage, lateMeterUsageInTime, lateMeterUsageAfterFinalization
    case lateWebhook, lateSwitchWebhook, outOfOrderWebhooks, duplicateWebhook
    case createInvoice
    case stripeFaults
    case restart, crash, retryAfterKeyExpiry, restore

    static func < (lhs: SimulationVariant, rhs: SimulationVariant) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Variants today's meterbridge is known to bill wrongly, each with the issue-19 behaviour that makes it fail.
/// Stories using any of them are left out of the default run; `MB_SIM_ALL=1` includes them.
let knownFailingVariants: [SimulationVariant: String] = [
    .idlessRepeat: "behaviour 1: an id-less record gets an id derived from its content, so the same record sent twice counts once",
    .switchMeterToMeter: "behaviour 2: a meter→meter price change is not re-reported; Stripe drops the period's events stamped before it",
    .switchMeterToLegacy: "behaviour 2: a meter→legacy price change is not re-reported as usage records on the new price",
    .replaceItemOneUpdate: "behaviour 2: an item replaced by a new one on the same product (one update) is not re-reported on the new item",
    .replaceItemTwoUpdates: "behaviour 2: an item replaced by a new one on the same product (two updates) is not re-reported on the new item",
    .flexibleMode: "behaviour 3: billing_mode flexible is ignored, so a switch is re-reported although Stripe invoiced the usage itself",
    .usagePendingAtChange: "behaviour 2: usage still pending when the price switches is sent stamped before the switch, which Stripe does not bill",
    .lastMetricSwitch: "behaviours 2 and 6: a last metric's re-report after a switch sends a sum of the period's values, not the latest value",
    .retryAfterKeyExpiry: "behaviour 8: a report retried after Stripe's 24-hour key window is sent again blindly and billed twice",
    .lateSwitchWebhook: "behaviour 5: reports sent to a legacy item Stripe already switched are refused (400) and left dead, never re-planned",
    .switchAfterCarriedUsage: "behaviour 2: the re-report leaves out late usage carried into the period, which Stripe drops with the old price",
    .lastEverMigration: "behaviour 6: a last_ever price migrated to a last meter does not send the latest value again in a period without a change",
    .restore: "behaviour 8: keys are mb-<store identity>-<row id>; a restored store reuses them and Stripe drops new usage as a duplicate",
]
