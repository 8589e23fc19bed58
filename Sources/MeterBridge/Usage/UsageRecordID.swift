import BillingCore

/// The id of a usage record the client sent without one: derived from the record's content, so a retried request
/// is recognised as the same usage.
///
/// `mb_auto_` followed by the first 32 hex digits (128 bits) of HMAC-SHA256, under a fixed public key, of the record as
/// sent: customer, metric, quantity, timestamp (or its absence, not the defaulted time) and its occurrence — how many
/// identical id-less records came before it in the same request. So within a request identical records count
/// separately, and a request sent again maps to the same ids (duplicates). Across requests, identical id-less records
/// are the same usage: a client that reports repeated identical usage must send an `id` (or distinct timestamps).
/// Client ids may not start with `mb_auto_`, so the two never collide.
enum UsageRecordID {
    static let generatedPrefix = "mb_auto_"

    // Not a secret: keyed hashing only gives a fixed, versioned function. A new derivation needs a new key.
    private static let key = HMACSHA256Key(secret: "meterbridge usage record id v1")

    /// The generated id of a record with this content, the `occurrence`-th (from 0) identical one in its request.
    static func generated(customer: String, metric: String, quantity: Int64, timestamp: Int64?, occurrence: Int) -> String {
        // Length-prefixed fields: a customer "a\u{0}b" and metric "c" must not hash like customer "a" and metric "b\u{0}c".
        var message = "\(customer.utf8.count):\(customer)\(metric.utf8.count):\(metric)\(quantity):"
        message += timestamp.map { "\($0):" } ?? "-:"
        message += "\(occurrence)"
        let tag = key.authenticationCode(for: message.utf8)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(32)
        for byte in tag.prefix(16) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return generatedPrefix + String(decoding: hex, as: UTF8.self)
    }
}

/// Counts, per content, the id-less records seen so far in one request: the `occurrence` of the next identical one.
struct UsageOccurrences {
    private struct Content: Hashable {
        let customer: String
        let metric: String
        let quantity: Int64
        let timestamp: Int64?
    }

    private var seen: [Content: Int] = [:]

    /// The occurrence of a record with this content, counting it.
    mutating func next(customer: String, metric: String, quantity: Int64, timestamp: Int64?) -> Int {
        let content = Content(customer: customer, metric: metric, quantity: quantity, timestamp: timestamp)
        defer { seen[content, default: 0] += 1 }
        return seen[content, default: 0]
    }
}
