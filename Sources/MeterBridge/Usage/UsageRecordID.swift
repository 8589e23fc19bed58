/// The id of a usage record the client sent without one: fresh and random, so every record without an `id` is new
/// usage, as Stripe counts a meter event sent without an `identifier`
/// (https://docs.stripe.com/api/billing/meter-event/create). Only a client `id` makes a retry a duplicate.
///
/// `mb_auto_`, 32 hex digits (128 random bits) drawn once per request, `_` and the record's position in the request.
/// Random rather than counted: a store restored from a backup, or a second instance on a copy of the file, would count
/// from the same point again and give new usage the id of usage already stored. Client ids may not start with
/// `mb_auto_`, so the two never collide.
enum UsageRecordID {
    static let generatedPrefix = "mb_auto_"

    /// The ids of one request: one random draw, then a position per record (10,000 records cost one draw, not 10,000).
    struct Request {
        private let base: String

        init() {
            var generator = SystemRandomNumberGenerator()
            let high = generator.next() as UInt64, low = generator.next() as UInt64
            base = UsageRecordID.generatedPrefix + Self.hex(high) + Self.hex(low) + "_"
        }

        /// The id of the record at `index` of the request.
        func id(at index: Int) -> String { base + String(index) }

        private static func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
    }
}
