import BillingCore
import Foundation
import SystemClock
import Testing

/// The real clock the client's rate limiter and backoff run on: wall time, and sleeps that really wait.
struct SystemUnixClockTests {
    @Test func readsTheWallClock() {
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(abs(SystemUnixClock().now.milliseconds - wall) < 1000)
    }

    @Test func sleepsUntilTheDeadlineAndNotBeyondWhenItHasPassed() async throws {
        let clock = SystemUnixClock()
        let start = clock.now
        try await clock.sleep(until: start + .milliseconds(30))
        #expect(clock.now - start >= .milliseconds(30))
        let before = ContinuousClock.now
        try await clock.sleep(until: start - .seconds(3600))
        #expect(ContinuousClock.now - before < .seconds(1))
    }
}
