import BillingCore
import TestPrimitives
import Testing

/// The manual clock: time moves only when the test or a sleep moves it, and sleeps are recorded.
struct ManualClockTests {
    @Test func readsInSecondsAndMillisecondsOfUnixTime() {
        let clock = ManualClock(seconds: 1_712_707_200)
        #expect(clock.now == .seconds(1_712_707_200))
        #expect(clock.nowSeconds() == 1_712_707_200)
        clock.advance(by: .milliseconds(1_500))
        #expect(clock.nowMilliseconds() == 1_712_707_201_500)
        #expect(clock.nowSeconds() == 1_712_707_201)
        clock.set(seconds: 100)
        #expect(clock.nowMilliseconds() == 100_000)
        clock.advance(seconds: 60)
        #expect(clock.nowSeconds() == 160)
    }

    @Test func aSleepJumpsForwardToItsDeadlineNeverBack() async throws {
        let clock = ManualClock()
        try await clock.sleep(until: .milliseconds(250))
        try await clock.sleep(for: .milliseconds(250))
        try await clock.sleep(until: .milliseconds(100))
        #expect(clock.now == .milliseconds(500))
        #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500), .milliseconds(100)])
    }

    @Test func aCancelledSleeperThrowsAndLeavesTimeAlone() async throws {
        let clock = ManualClock()
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: .seconds(5))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.now == .zero && clock.sleeps.isEmpty)
    }
}
