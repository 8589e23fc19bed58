import BillingCore
import Testing

/// The hand-written RFC 3339 parser behind thin events' `created`.
struct TimestampDecodingTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2024-09-17T06:20:52.246Z", 1_726_554_052),
        ("2024-09-17T06:20:52Z", 1_726_554_052),
        ("2024-09-17t06:20:52.999999z", 1_726_554_052),
        ("2024-09-17T08:20:52+02:00", 1_726_554_052),
        ("2024-09-17T01:50:52-04:30", 1_726_554_052),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("2000-03-01T00:00:00Z", 951_868_800),
        ("1969-12-31T23:59:59Z", -1),
    ])
    func parses(text: String, seconds: Int64) {
        #expect(ISO8601Timestamp.unixSeconds(text) == seconds)
    }

    @Test(arguments: [
        "", "2024-09-17", "2024-09-17T06:20:52", "2024-09-17 06:20:52Z", "2024-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-09-17T24:00:00Z", "2024-09-17T06:60:00Z",
        "2024-09-17T06:20:52.Z", "2024-09-17T06:20:52+0200", "2024-09-17T06:20:52Zjunk", "1726554052",
        "2024-9-17T06:20:52Z",
    ])
    func rejects(text: String) {
        #expect(ISO8601Timestamp.unixSeconds(text) == nil)
    }
}
