import BillingCore
import Testing

/// `ReportKey`: the same report has the same key, a report that differs in any field has another.
struct ReportKeyTests {
    static let report = PlannedReport(
        channel: .usageRecord(subscriptionID: "sub_1", itemID: "si_1", action: .increment), purpose: .usage, customerID: "cus_1",
        metric: "api_requests", period: BillingPeriod(start: 1_700_000_000, end: 1_702_592_000), quantity: 5, timestamp: 1_700_000_100,
        carried: false, recordIDs: ["b", "a"]
    )

    static func key(_ report: PlannedReport, identity: String = "0123456789ab") -> String {
        ReportKey.key(for: report, storeIdentity: identity)
    }

    @Test func theSameReportHasTheSameKeyWhateverTheOrderOfItsRecords() {
        var reordered = Self.report
        reordered.recordIDs = ["a", "b"]
        #expect(Self.key(Self.report) == Self.key(reordered))
        let key = Self.key(Self.report)
        #expect(key.hasPrefix("mb-0123456789ab-") && key.count == 48 && key.count <= 100, "\(key)")
    }

    @Test func everyFieldAndTheStoreIdentityChangeTheKey() {
        var variants: [PlannedReport] = []
        func variant(_ change: (inout PlannedReport) -> Void) {
            var report = Self.report
            change(&report)
            variants.append(report)
        }
        variant { $0.channel = .usageRecord(subscriptionID: "sub_2", itemID: "si_1", action: .increment) }
        variant { $0.channel = .usageRecord(subscriptionID: "sub_1", itemID: "si_2", action: .increment) }
        variant { $0.channel = .usageRecord(subscriptionID: "sub_1", itemID: "si_1", action: .set) }
        variant { $0.channel = .meterEvent(eventName: "api_requests") }
        variant { $0.purpose = .rereport }
        variant { $0.purpose = .shadow }
        variant { $0.customerID = "cus_2" }
        variant { $0.metric = "seats" }
        variant { $0.period = nil }
        variant { $0.period = BillingPeriod(start: 1_700_000_000, end: 1_702_592_001) }
        variant { $0.quantity = 6 }
        variant { $0.timestamp = 1_700_000_101 }
        variant { $0.carried = true }
        variant { $0.recordIDs = ["a"] }
        variant { $0.recordIDs = ["a", "b", "c"] }
        variant { $0.mirroredRecordIDs = ["a"] }
        // Length-prefixed fields: moving a character from one field to the next is another report.
        variant { $0.customerID = "cus_1a"; $0.metric = "pi_requests" }
        let keys = [Self.key(Self.report), Self.key(Self.report, identity: "ba9876543210")] + variants.map { Self.key($0) }
        #expect(Set(keys).count == keys.count)
    }
}
