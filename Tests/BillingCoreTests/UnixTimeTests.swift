import BillingCore
import Foundation
import Testing

/// The instant type: the unit is named where a time enters and where it leaves, never guessed.
struct UnixTimeTests {
    @Test func secondsAndMillisecondsNameTheSameInstant() {
        let time = UnixTime(seconds: 1_712_707_200)
        #expect(time == UnixTime(milliseconds: 1_712_707_200_000))
        #expect(time.milliseconds == 1_712_707_200_000 && time.seconds == 1_712_707_200)
        #expect((time + .milliseconds(1_999)).seconds == 1_712_707_201)
    }

    @Test func arithmeticWithDurations() {
        let start = UnixTime(milliseconds: 10_000)
        #expect(start + .seconds(5) == UnixTime(milliseconds: 15_000))
        #expect(start - .milliseconds(250) == UnixTime(milliseconds: 9_750))
        #expect(UnixTime(seconds: 12) - start == .seconds(2))
        #expect(start - UnixTime(seconds: 12) == .seconds(-2))
        #expect(start < start + .nanoseconds(1))
    }

    @Test func encodesAsItsMilliseconds() throws {
        let data = try JSONEncoder().encode([UnixTime(milliseconds: 1_500)])
        #expect(String(decoding: data, as: UTF8.self) == "[1500]")
        #expect(try JSONDecoder().decode([UnixTime].self, from: data) == [UnixTime(milliseconds: 1_500)])
    }
}
