import BillingCore
import Synchronization
import SystemClock

/// The account-wide limit on Stripe calls: one ``TokenBucket`` shared by every call of a client.
/// A caller without a token sleeps once, until its reserved token is due; callers are served in
/// arrival order and nothing polls.
///
/// Wall time, not monotonic: the bucket runs on the service's one clock (``UnixClock``), so one manual clock
/// drives the bucket and the retry backoff in tests, as it drives the rest of the service. The price is a step of
/// the wall clock (NTP, an operator): a step forward only refills the bucket, never beyond `burst`; a step back
/// is noticed by ``TokenBucket``, which moves its schedule back by the step, so calls never stall for its size.
/// A sleep on the system clock, once begun, is measured on the monotonic clock.
public final class StripeRateLimiter: Sendable {
    private let bucket: Mutex<TokenBucket>
    private let clock: any UnixClock

    /// `rate` calls per second with up to `burst` (default `rate`) back to back.
    public init(rate: Int, burst: Int? = nil, clock: any UnixClock = .system) {
        self.clock = clock
        self.bucket = Mutex(TokenBucket(rate: rate, burst: burst, now: clock.now.sinceEpoch))
    }

    /// Waits for a token; returns how long the caller had to wait (zero when one was banked).
    /// A cancelled waiter gives its token back and throws `CancellationError`.
    public func acquire() async throws(CancellationError) -> Duration {
        let (now, wait) = bucket.withLock { bucket in
            let now = clock.now
            return (now, bucket.reserve(now: now.sinceEpoch))
        }
        guard wait > .zero else { return .zero }
        do {
            try await clock.sleep(until: now + wait)
        } catch {
            bucket.withLock { $0.refund(now: clock.now.sinceEpoch) }
            throw CancellationError()
        }
        return wait
    }

    /// Tokens banked right now.
    public var available: Int {
        bucket.withLock { $0.available(now: clock.now.sinceEpoch) }
    }
}
