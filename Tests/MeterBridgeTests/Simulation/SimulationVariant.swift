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
    case sumMetric, lastMetric, lastEverMigration
    case usageWithID, duplicateID, idlessUsage, idlessRepeat
    case lateLegacyUsage, lateMeterUsageInTime, lateMeterUsageAfterFinalization
    case lateWebhook, outOfOrderWebhooks, duplicateWebhook
    case createInvoice
    case stripeFaults
    case restart, crash, restore

    static func < (lhs: SimulationVariant, rhs: SimulationVariant) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Variants today's meterbridge is known to bill wrongly, each with the issue-19 behaviour that makes it fail.
/// Stories using any of them are left out of the default run; `MB_SIM_ALL=1` includes them.
let knownFailingVariants: [SimulationVariant: String] = [:]
