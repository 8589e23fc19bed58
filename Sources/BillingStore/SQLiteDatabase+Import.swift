/// What `importEvents` did with each event of a file.
public struct EventImportResult: Hashable, Sendable {
    /// Ids stored now, as `pending`.
    public var inserted: [String] = []
    /// Ids already stored as `failed` or `dead` with other bytes: their bytes and routing fields were replaced by
    /// the imported copy and they are `pending` again (e.g. Stripe's copy rendered in an API version meterbridge
    /// decodes, after the webhook endpoint's version could not be).
    public var repaired: [String] = []
    /// Ids already stored (and not repairable): left exactly as they were.
    public var skipped: [String] = []

    public init() {}
}

/// Bulk import of events an operator exported from Stripe (`replay --file`).
public protocol EventImporting: Sendable {
    /// Stores every event of `events` in one transaction, all or nothing; ids already stored are skipped, except
    /// failed or dead ones whose bytes differ, which are repaired. Duplicate ids within `events` count as skipped.
    func importEvents(_ events: [ReceivedEvent]) async throws -> EventImportResult
}

extension SQLiteDatabase: EventImporting {
    public func importEvents(_ events: [ReceivedEvent]) async throws -> EventImportResult {
        // One write job: it runs in one savepoint, so a failure halfway leaves nothing of the file stored.
        try await write { connection in
            var result = EventImportResult()
            var seen = Set<String>()
            for event in events {
                guard seen.insert(event.id).inserted else {
                    result.skipped.append(event.id)
                    continue
                }
                let inserted = try connection.run(
                    """
                    INSERT INTO events (id, type, api_version, created, livemode, account, object_type, object_id,
                        subscription_id, customer_id, signature, received_at, status, attempts, next_attempt_at, payload)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', 0, ?12, ?13)
                    ON CONFLICT (id) DO NOTHING
                    """,
                    Self.importBindings(event)
                )
                if inserted == 1 {
                    result.inserted.append(event.id)
                    continue
                }
                let stored = try connection.query("SELECT status, payload FROM events WHERE id = ?1", [.text(event.id)]) {
                    (try EventStatus(column: 0, of: $0), $0.blob(at: 1))
                }.first
                guard let (status, payload) = stored, status == .failed || status == .dead, payload != event.payload else {
                    result.skipped.append(event.id)
                    continue
                }
                // Attempts are kept, as for a redelivery: the copy gets the same number of chances left.
                try connection.run(
                    """
                    UPDATE events SET type = ?2, api_version = ?3, created = ?4, livemode = ?5, account = ?6, object_type = ?7,
                        object_id = ?8, subscription_id = ?9, customer_id = ?10, signature = ?11, next_attempt_at = ?12,
                        payload = ?13, status = 'pending'
                    WHERE id = ?1
                    """,
                    Self.importBindings(event)
                )
                result.repaired.append(event.id)
            }
            return result
        }
    }

    private static func importBindings(_ event: ReceivedEvent) -> [SQLiteValue] {
        func optional(_ text: String?) -> SQLiteValue { text.map(SQLiteValue.text) ?? .null }
        return [
            .text(event.id), .text(event.type), optional(event.apiVersion), .integer(event.created), .integer(event.livemode ? 1 : 0),
            optional(event.account), optional(event.objectType), optional(event.objectID), optional(event.subscriptionID),
            optional(event.customerID), .text(event.signature), .integer(event.receivedAt), .blob(event.payload),
        ]
    }
}
