import BillingCore
import TestPrimitives
import Testing

/// The manual clock: time moves only when the test or a sleep moves it, and sleeps are recorded.
struct ManualClockTests {
    @Test func readsInSecondsAndMillisecondsOfUnixTime() {
        let clock = ManualClock(seconds: 1_712_707_200)
        #expect(clock.now == UnixTime(seconds: 1_712_707_200))
        #expect(clock.now.seconds == 1_712_707_200)
        clock.advance(by: .milliseconds(1_500))
        #expect(clock.now.milliseconds == 1_712_707_201_500)
        #expect(clock.now.seconds == 1_712_707_201)
        clock.set(seconds: 100)
        #expect(clock.now.milliseconds == 100_000)
        clock.advance(seconds: 60)
        #expect(clock.now.seconds == 160)
    }

    @Test func aSleepJumpsForwardToItsDeadlineNeverBack() async throws {
        let clock = ManualClock()
        try await clock.sleep(until: UnixTime(milliseconds: 250))
        try await clock.sleep(for: .milliseconds(250))
        try await clock.sleep(until: UnixTime(milliseconds: 100))
        #expect(clock.now == UnixTime(milliseconds: 500))
        #expect(clock.sleeps == [250, 500, 100].map(UnixTime.init(milliseconds:)))
    }

    @Test func aCancelledSleeperThrowsAndLeavesTimeAlone() async throws {
        let clock = ManualClock()
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: UnixTime(seconds: 5))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.now == .epoch && clock.sleeps.isEmpty)
    }
}
