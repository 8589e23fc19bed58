import BillingCore
import StripeAPI
import StripeDouble
import TestPrimitives
import Testing

/// The account-wide token bucket: its pure schedule, the async limiter on a manual clock, and the
/// client's calls against the double following that schedule.
struct RateLimitTests {
    typealias F = StripeAPIFixture

    @Test func aBurstGoesOutAtOnceThenOneTokenPerInterval() {
        var bucket = TokenBucket(rate: 5, now: .zero)
        let waits = (0..<8).map { _ in bucket.reserve(now: .zero) }
        #expect(waits == [.zero, .zero, .zero, .zero, .zero, .milliseconds(200), .milliseconds(400), .milliseconds(600)])
        #expect(bucket.available(now: .zero) == 0)
    }

    @Test func anIdleBucketRefillsUpToItsBurstAndNoFurther() {
        var bucket = TokenBucket(rate: 5, burst: 3, now: .zero)
        for _ in 0..<3 { #expect(bucket.reserve(now: .zero) == .zero) }
        #expect(bucket.available(now: .zero) == 0)
        #expect(bucket.available(now: .milliseconds(200)) == 1)
        // A long pause banks `burst` tokens, not more.
        #expect(bucket.available(now: .seconds(60)) == 3)
        let waits = (0..<5).map { _ in bucket.reserve(now: .seconds(60)) }
        #expect(waits == [.zero, .zero, .zero, .milliseconds(200), .milliseconds(400)])
    }

    @Test func callsAtTheRateNeverWait() {
        var bucket = TokenBucket(rate: 80, burst: 1, now: .zero)
        #expect(bucket.interval == 12_500_000)
        for call in 0..<200 {
            #expect(bucket.reserve(now: .nanoseconds(Int64(call) * 12_500_000)) == .zero)
        }
        // One call early waits for the rest of the interval.
        #expect(bucket.reserve(now: .nanoseconds(200 * 12_500_000 - 2_500_000)) == .milliseconds(2.5))
    }

    @Test func intervalsRoundUpSoTheRateIsNeverExceeded() {
        let bucket = TokenBucket(rate: 3, now: .zero)
        #expect(bucket.interval == 333_333_334)
    }

    @Test func aRefundedTokenIsGivenToTheNextCaller() {
        var bucket = TokenBucket(rate: 10, burst: 1, now: .zero)
        #expect(bucket.reserve(now: .zero) == .zero)
        #expect(bucket.reserve(now: .zero) == .milliseconds(100))
        bucket.refund(now: .zero)
        #expect(bucket.reserve(now: .zero) == .milliseconds(100))
    }

    /// The bucket runs on the wall clock: an hour's step back moves its schedule back with it instead
    /// of making every caller wait an hour, and a step forward refills it to `burst`, no more.
    @Test func aStepOfTheWallClockNeitherStallsNorOverfillsTheBucket() {
        var bucket = TokenBucket(rate: 5, burst: 2, now: .seconds(7200))
        let before = (0..<3).map { _ in bucket.reserve(now: .seconds(7200)) }
        #expect(before == [.zero, .zero, .milliseconds(200)])
        #expect(bucket.available(now: .seconds(3600)) == 0)
        #expect(bucket.reserve(now: .seconds(3600)) == .milliseconds(400))
        #expect(bucket.available(now: .seconds(3600) + .milliseconds(600)) == 1)
        #expect(bucket.available(now: .seconds(86_400)) == 2)
        let after = (0..<3).map { _ in bucket.reserve(now: .seconds(86_400)) }
        #expect(after == [.zero, .zero, .milliseconds(200)])
    }

    @Test func theLimiterSleepsOnTheInjectedClockUntilEachTokenIsDue() async throws {
        let clock = ManualClock()
        let limiter = StripeRateLimiter(rate: 4, burst: 2, clock: clock)
        var waits: [Duration] = []
        for _ in 0..<6 { waits.append(try await limiter.acquire()) }
        #expect(waits == [.zero, .zero, .milliseconds(250), .milliseconds(250), .milliseconds(250), .milliseconds(250)])
        #expect(clock.sleeps == [250, 500, 750, 1000].map(UnixTime.init(milliseconds:)))
        #expect(clock.now == UnixTime(seconds: 1))
    }

    @Test func aCancelledWaiterThrowsCancellation() async throws {
        let limiter = StripeRateLimiter(rate: 1, burst: 1, clock: NeverWakingClock())
        #expect(try await limiter.acquire() == .zero)
        let waiter = Task { try await limiter.acquire() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
    }

    /// Twelve calls at 5/s with a burst of 5 take at least 1.4 s of the client's clock: the first five
    /// go at once, then one every 200 ms.
    @Test func clientCallsFollowTheTokenBucketSchedule() async throws {
        let clock = ManualClock()
        try await F.run(configure: { $0.rateLimit = 5 }, clientClock: clock) { f in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for call in 0..<12 {
                    group.addTask {
                        _ = try await f.client.createUsageRecord(
                            subscriptionItem: "si_sum", quantity: 1, timestamp: F.now, action: .increment, idempotencyKey: "rate-\(call)")
                    }
                }
                try await group.waitForAll()
            }
            #expect(f.stripe.billedUsage(item: "si_sum") == 12)
            #expect(f.stripe.callCount(.createUsageRecord) == 12)
            #expect(clock.now >= UnixTime(milliseconds: 1400))
            #expect(clock.sleeps.sorted() == (1...7).map { UnixTime(milliseconds: 200 * $0) })
            #expect(f.observer.rateLimitWaits.count == 7)
        }
    }
}

/// A clock whose sleeps end only by cancellation.
struct NeverWakingClock: UnixClock {
    var now: UnixTime { .epoch }

    func sleep(until deadline: UnixTime) async throws {
        try await Task.sleep(for: .seconds(3600))
    }
}
