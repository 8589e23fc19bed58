/// A `Stripe-Version` value: `YYYY-MM-DD`, with a release name from 2024-09-30 on (`.acacia`, `.basil`, …).
struct APIVersion: Sendable, Equatable {
    /// `YYYY-MM-DD`; zero-padded, so string order is date order.
    var date: String
    var name: String?

    /// The last version that still has legacy usage records, `aggregate_usage` and usage record summaries.
    static let lastWithUsageRecords = APIVersion(date: "2025-02-24", name: "acacia")

    init(date: String, name: String?) {
        self.date = date
        self.name = name
    }

    /// Parses a header value; nil when Stripe would answer "Invalid Stripe API version".
    init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let date = String(parts[0])
        let fields = date.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields.map(\.count) == [4, 2, 2], fields.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let month = Int(fields[1]), (1...12).contains(month), let day = Int(fields[2]), (1...31).contains(day)
        else { return nil }
        let name = parts.count > 1 ? String(parts[1]) : nil
        if let name {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isLowercase }) else { return nil }
            // A release name must match its date range: acacia started 2024-09-30, basil 2025-03-31,
            // clover 2025-09-30. Names before acacia did not exist.
            switch name {
            case "acacia": guard date >= "2024-09-30" && date < "2025-03-31" else { return nil }
            case "basil": guard date >= "2025-03-31" && date < "2025-09-30" else { return nil }
            default: guard date >= "2025-09-30" else { return nil }
            }
        }
        self.date = date
        self.name = name
    }

    /// Whether legacy usage records exist in this version: they were removed in 2025-03-31.basil.
    var hasUsageRecords: Bool {
        date <= Self.lastWithUsageRecords.date
    }

    var description: String {
        name.map { "\(date).\($0)" } ?? date
    }
}
