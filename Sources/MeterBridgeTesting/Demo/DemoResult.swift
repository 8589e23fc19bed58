/// What a demo run shows: the timeline of steps and, per billing period, what meterbridge recorded against what
/// Stripe (the double) bills.
public struct DemoResult: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var faults: Bool
    public var timeline: [DemoStep]
    public var periods: [DemoPeriodTotals]
    /// Units the demo's "product" posted to `POST /v1/usage`.
    public var posted: Int64
    /// Units Stripe bills over every period (usage records and meter events; shadow events excluded).
    public var billed: Int64
    /// Calls meterbridge made to the Stripe double, retries included, and how many the double failed on purpose.
    public var stripeCalls: Int
    public var injectedFaults: Int
    /// Anything left undone or lost: unprocessed events, unreported usage, refused reports, meter error reports.
    public var problems: [String]
    /// Every period balances, everything posted is billed, and nothing is left undone.
    public var balanced: Bool
    /// The temporary directory (with the SQLite file), when kept.
    public var directory: String?
}

/// One step of the timeline: the simulated time, what happened, and what meterbridge did about it.
public struct DemoStep: Codable, Sendable, Equatable {
    /// Unix seconds on the demo's clock.
    public var time: Int64
    /// `time` as `2026-01-31 23:55:00` (UTC).
    public var at: String
    public var happened: String
    public var meterbridge: String

    public init(time: Int64, happened: String, meterbridge: String) {
        self.time = time
        self.at = DemoTime.format(time)
        self.happened = happened
        self.meterbridge = meterbridge
    }
}

/// One billing period's totals: usage meterbridge recorded for it against what Stripe bills for it.
public struct DemoPeriodTotals: Codable, Sendable, Equatable {
    /// 1-based.
    public var period: Int
    public var start: Int64
    public var end: Int64
    /// Usage meterbridge recorded for the period: its own usage plus late usage carried into it (see `carried`).
    public var recorded: Int64
    /// What Stripe bills for the period through legacy usage records (read when the period's invoice closed).
    public var usageRecords: Int64
    /// What Stripe bills for the period through billing meter events, shadow events excluded.
    public var meterEvents: Int64
    /// Shadow meter events mirrored while the migration was planned: in Stripe, but not billed.
    public var shadowMeterEvents: Int64
    /// Late usage from an earlier period carried into this one (part of `recorded`).
    public var carried: Int64
    public var billed: Int64
    /// `recorded == billed`.
    public var balanced: Bool
}

/// A demo that could not run or whose checks could not be made, with what went wrong.
public struct DemoError: Error, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
