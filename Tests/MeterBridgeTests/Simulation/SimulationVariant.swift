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

/// Variants whose stories meterbridge (or the judge) still gets wrong, each with the reason last found. Stories using
/// any of them are left out of the default run; `MB_SIM_ALL=1` includes them, `MB_SIM_ABLATE` finds a seed for each.
/// Several reasons date from before the fixes they name (re-check them with the ablation): alone, most of these now
/// pass, and what fails is their combination with other variants.
let knownFailingVariants: [SimulationVariant: String] = [
    .idlessRepeat: "behaviour 1: an id-less record gets an id derived from its content, so the same record sent twice counts once",
    .replaceItemOneUpdate: "behaviour 2: an item replaced by a new one on the same product (one update) is not re-reported on the new item",
    .replaceItemTwoUpdates: "behaviour 2: an item replaced by a new one on the same product (two updates) is not re-reported on the new item",
    .usagePendingAtChange: "judge: usage pending at an anchor reset is carried by Stripe's rule, which the judge does not yet model for last metrics",
    .restore: "a restored store no longer knows usage Stripe took after the backup; a later switch's re-report, counted from the store's records, leaves it out",
    .lastMetricSwitch: "behaviours 2 and 6: a last metric's re-report after a switch sends a sum of the period's values, not the latest value",
    .retryAfterKeyExpiry: "behaviour 8: a report retried after Stripe's 24-hour key window is sent again blindly and billed twice",
    .lateSwitchWebhook: "behaviour 5: reports sent to a legacy item Stripe already switched are refused (400) and left dead, never re-planned",
    .lastEverMigration: "behaviour 6: a last_ever price migrated to a last meter does not send the latest value again in a period without a change",
]
