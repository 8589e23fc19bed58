import BillingCore
import Logging
import SystemClock

extension StripeAPIDouble {
    /// Settings of the double. Every default is the limit Stripe documents, so a test that passes
    /// against the defaults passes against Stripe's rules.
    ///
    /// | Setting | Default | Stripe rule |
    /// |---|---|---|
    /// | `apiKeys` | — | keys Stripe would accept (`sk_test_…`, `rk_test_…`, live keys) |
    /// | `accountDefaultVersion` | `2025-09-30.clover` | version used when no `Stripe-Version` header is sent |
    /// | `usageRecordClockDriftGrace` | 0 s | legacy usage records may not be in the future (grace undocumented) |
    /// | `meterEventFutureTolerance` | 300 s | meter event `timestamp` at most 5 minutes ahead |
    /// | `meterEventPastWindow` | 35 days | meter event `timestamp` within the past 35 calendar days |
    /// | `meterIdentifierWindow` | 24 h | identifiers unique for (at least) 24 hours |
    /// | `meterCancellationWindow` | 24 h | adjustments cancel events received in the last 24 hours |
    /// | `idempotencyKeyLifetime` | 24 h | idempotency keys are kept (at least) 24 hours |
    /// | `maximumBodySize` | 1 MiB | request bodies larger than this are refused with 413 |
    public struct Configuration: Sendable {
        public var apiKeys: Set<String>
        public var accountDefaultVersion: String
        public var usageRecordClockDriftGrace: Int64
        public var meterEventFutureTolerance: Int64
        public var meterEventPastWindow: Int64
        public var meterIdentifierWindow: Int64
        public var meterCancellationWindow: Int64
        public var idempotencyKeyLifetime: Int64
        public var maximumBodySize: Int
        /// Unix time in seconds: decides "now" for every rule above.
        public var now: @Sendable () -> Int64
        public var logger: Logger

        public init(
            apiKeys: Set<String>,
            now: @escaping @Sendable () -> Int64 = { SystemUnixClock().now.seconds },
            logger: Logger = Logger(label: "StripeDouble")
        ) {
            self.apiKeys = apiKeys
            self.accountDefaultVersion = "2025-09-30.clover"
            self.usageRecordClockDriftGrace = 0
            self.meterEventFutureTolerance = 300
            self.meterEventPastWindow = 35 * 86_400
            self.meterIdentifierWindow = 86_400
            self.meterCancellationWindow = 86_400
            self.idempotencyKeyLifetime = 86_400
            self.maximumBodySize = 1 << 20
            self.now = now
            self.logger = logger
        }

        /// Settings whose "now" is `clock`'s: a `ManualClock` lets a test move Stripe's time by hand.
        public init(apiKeys: Set<String>, clock: any UnixClock, logger: Logger = Logger(label: "StripeDouble")) {
            self.init(apiKeys: apiKeys, now: { clock.now.seconds }, logger: logger)
        }
    }
}
