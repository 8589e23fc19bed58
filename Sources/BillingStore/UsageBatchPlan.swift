/// How a usage batch goes into a store, worked out before the store's writer sees it: ids repeated within the batch
/// (duplicates, or a conflict), and the order to insert the rest in.
///
/// Computed on the caller's task, so the single writer thread only inserts. Shared by every `UsageLedgerStore`
/// (public for the PostgreSQL store, in its own module).
public struct UsageBatchPlan: Sendable {
    /// Positions of records whose id an earlier record of the batch already has, with the same content.
    public var repeatedIndices: [Int]
    /// Positions of the other records, ordered by (customer, metric, timestamp, position): PostgreSQL's
    /// `usage_records_customer` order, so consecutive inserts land on the same index pages. SQLite's ledger has no
    /// index by customer since migration 7; there the order only decides the arrival order within a batch.
    public var insertionOrder: [Int]

    /// Throws `UsageLedgerError.idConflict` naming the first record whose id an earlier one has with other content.
    public init(_ records: [UsageRecordInput]) throws(UsageLedgerError) {
        var firstIndex: [String: Int] = [:]
        firstIndex.reserveCapacity(records.count)
        var repeated: [Int] = []
        var unique: [Int] = []
        unique.reserveCapacity(records.count)
        for index in records.indices {
            let record = records[index]
            if let earlier = firstIndex.updateValue(index, forKey: record.id) {
                // Keep the first position for later repeats to compare with.
                firstIndex[record.id] = earlier
                let first = records[earlier]
                guard record.isSameUsage(as: first) else {
                    throw UsageLedgerError.idConflict(index: index, record: record, repeating: earlier, of: first)
                }
                repeated.append(index)
            } else {
                unique.append(index)
            }
        }
        unique.sort { lhs, rhs in
            let (a, b) = (records[lhs], records[rhs])
            if a.customerID != b.customerID { return a.customerID < b.customerID }
            if a.metric != b.metric { return a.metric < b.metric }
            if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
            return lhs < rhs
        }
        repeatedIndices = repeated
        insertionOrder = unique
    }
}

extension UsageRecordInput {
    /// Whether `earlier`, sent before in the same batch, is this same usage (see `isSameUsage(as:)` for stored records).
    func isSameUsage(as earlier: UsageRecordInput) -> Bool {
        customerID == earlier.customerID && metric == earlier.metric && quantity == earlier.quantity
            && (timestampDefaulted || earlier.timestampDefaulted || timestamp == earlier.timestamp)
    }
}
