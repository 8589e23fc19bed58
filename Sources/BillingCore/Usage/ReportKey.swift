/// The `Idempotency-Key` (usage record) or meter event `identifier` of a report: `mb-<store identity>-<digest>`, where
/// the digest covers the store identity and every field of the report.
///
/// Following from the content, not from a row id, is what makes keys safe when a store is restored from a backup or
/// copied to a second instance: the restored store counts its rows from an older point, and a key made of the row
/// id would name a new report with the key of one Stripe already has. Stripe then answers the new report as a
/// replay (usage records, https://docs.stripe.com/api/idempotent_requests) or a duplicate identifier (meter events,
/// https://docs.stripe.com/api/billing/meter-event/create) and drops the usage. With the content:
/// - two different reports never share a key (a usage report delivers records no other report delivers; re-reports
///   and shadows differ in their content and in the records they mirror);
/// - the same report always has the same key, so a report planned again after a crash or a restore (same records,
///   same target, same timestamp) is recognised by Stripe as the one it already has;
/// - two stores on one Stripe account differ by their identity, even when their clients reuse record ids.
///
/// 48 characters: within the 100 of a meter event identifier and the 255 of an idempotency key.
public enum ReportKey {
    /// `mb-`, the store identity, `-`, and the first 32 hex digits (128 bits) of the digest.
    public static func key(for report: PlannedReport, storeIdentity: String) -> String {
        let tag = digestKey.authenticationCode(for: message(report, storeIdentity: storeIdentity))
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(32)
        for byte in tag.prefix(16) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return "mb-\(storeIdentity)-" + String(decoding: hex, as: UTF8.self)
    }

    // Not a secret: keyed hashing only gives a fixed, versioned function. Changing what the digest covers needs a new key.
    private static let digestKey = HMACSHA256Key(secret: "meterbridge report key v1")

    /// Every field, each length-prefixed (a customer "a:b" must not read like customer "a" and metric "b"), the
    /// record ids sorted (the same records in another order are the same report).
    static func message(_ report: PlannedReport, storeIdentity: String) -> [UInt8] {
        var fields: [String] = [storeIdentity]
        switch report.channel {
        case .usageRecord(let subscriptionID, let itemID, let action):
            fields += ["usage_record", subscriptionID, itemID, action.rawValue]
        case .meterEvent(let eventName):
            fields += ["meter_event", eventName]
        }
        fields += [report.purpose.rawValue, report.customerID, report.metric]
        fields += report.period.map { ["\($0.start)", "\($0.end)"] } ?? ["-"]
        fields += ["\(report.quantity)", "\(report.timestamp)", report.carried ? "carried" : "-"]
        fields += ["\(report.recordIDs.count)"] + report.recordIDs.sorted()
        fields += ["\(report.mirroredRecordIDs.count)"] + report.mirroredRecordIDs.sorted()
        var bytes: [UInt8] = []
        for field in fields {
            bytes += Array("\(field.utf8.count):".utf8)
            bytes += Array(field.utf8)
        }
        return bytes
    }
}
