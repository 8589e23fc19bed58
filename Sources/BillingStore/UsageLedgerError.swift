/// A usage batch the ledger refused for a reason of its content (not of the storage); nothing of the batch was stored.
public struct UsageLedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        /// A record's id is already stored (or used earlier in the batch) with different content.
        public static let idConflict = Code(name: "idConflict")

        public var description: String { name }
    }

    public var code: Code
    /// Position of the offending record in the batch.
    public var recordIndex: Int
    public var recordID: String
    /// What the id already stands for.
    public var stored: UsageRecord?
    public var message: String

    public init(code: Code, recordIndex: Int, recordID: String, stored: UsageRecord?, message: String) {
        self.code = code
        self.recordIndex = recordIndex
        self.recordID = recordID
        self.stored = stored
        self.message = message
    }

    /// The record at `index` reuses `record.id`, which already stands for `stored`.
    public static func idConflict(index: Int, record: UsageRecordInput, stored: UsageRecord) -> UsageLedgerError {
        UsageLedgerError(
            code: .idConflict, recordIndex: index, recordID: record.id, stored: stored,
            message: "\"\(record.id)\" is already stored with different content (stored ≠ sent: \(differences(record, stored)))"
        )
    }

    /// The record at `index` reuses the id of the batch's record at `earlier`, `first`, with other content.
    static func idConflict(index: Int, record: UsageRecordInput, repeating earlier: Int, of first: UsageRecordInput) -> UsageLedgerError {
        let stored = UsageRecord(
            id: first.id, customerID: first.customerID, metric: first.metric, quantity: first.quantity, timestamp: first.timestamp, receivedAt: first.receivedAt
        )
        let differences = Self.differences(record, stored)
        return UsageLedgerError(
            code: .idConflict, recordIndex: index, recordID: record.id, stored: stored,
            message: "\"\(record.id)\" is also the id of records[\(earlier)] in this batch, with different content (records[\(earlier)] ≠ this: \(differences))"
        )
    }

    /// `quantity 5 ≠ 6, …`: the fields where `record` differs from `stored`.
    private static func differences(_ record: UsageRecordInput, _ stored: UsageRecord) -> String {
        var differences: [String] = []
        if record.customerID != stored.customerID { differences.append("customer \(stored.customerID) ≠ \(record.customerID)") }
        if record.metric != stored.metric { differences.append("metric \(stored.metric) ≠ \(record.metric)") }
        if record.quantity != stored.quantity { differences.append("quantity \(stored.quantity) ≠ \(record.quantity)") }
        if !record.timestampDefaulted && record.timestamp != stored.timestamp {
            differences.append("timestamp \(stored.timestamp) ≠ \(record.timestamp)")
        }
        return differences.joined(separator: ", ")
    }

    public var description: String { "UsageLedgerError(\(code)): records[\(recordIndex)].id: \(message)" }
}
