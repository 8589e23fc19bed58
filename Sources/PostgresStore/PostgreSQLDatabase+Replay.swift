import BillingStore
import NIOCore
import PostgresNIO

extension PostgreSQLDatabase: StoredEventReader {
    public func replayRows(after cursor: EventCursor?, limit: Int) async throws -> [ReplayRow] {
        let after = cursor ?? EventCursor(created: .min, id: "")
        return try await rows(
            """
            SELECT id, type, created, subscription_id, status, attempts, payload FROM events
            WHERE (created, id) > (\(after.created), \(after.id)) ORDER BY created, id LIMIT \(Int64(limit))
            """
        ) { row in
            let (id, type, created, subscriptionID, status, attempts, payload) = try row.decode((String, String, Int64, String?, String, Int, ByteBuffer).self)
            return ReplayRow(
                id: id, type: type, created: created, subscriptionID: subscriptionID, status: try EventStatus(postgres: status), attempts: attempts,
                payload: Array(payload.readableBytesView)
            )
        }
    }

    public func customersWithUnsentUsageReports() async throws -> Set<String> {
        Set(try await rows("SELECT DISTINCT customer_id FROM usage_reports WHERE status IN ('pending', 'dead') AND purpose = 'usage'") { try $0.decode(String.self) })
    }
}

extension PostgreSQLDatabase: EventImporting {
    public func importEvents(_ events: [ReceivedEvent]) async throws -> EventImportResult {
        // One transaction: a failure halfway leaves nothing of the file stored.
        try await transaction { connection in
            var result = EventImportResult()
            var seen = Set<String>()
            for event in events {
                guard seen.insert(event.id).inserted else {
                    result.skipped.append(event.id)
                    continue
                }
                let payload = ByteBuffer(bytes: event.payload)
                let inserted = try await connection.run(
                    """
                    INSERT INTO events (id, type, api_version, created, livemode, account, object_type, object_id,
                        subscription_id, customer_id, signature, received_at, status, attempts, next_attempt_at, payload)
                    VALUES (\(event.id), \(event.type), \(event.apiVersion), \(event.created), \(event.livemode), \(event.account),
                        \(event.objectType), \(event.objectID), \(event.subscriptionID), \(event.customerID), \(event.signature),
                        \(event.receivedAt), 'pending', 0, \(event.receivedAt), \(payload))
                    ON CONFLICT (id) DO NOTHING RETURNING 1
                    """,
                    logger: logger
                )
                if inserted == 1 {
                    result.inserted.append(event.id)
                    continue
                }
                // A failed or dead event whose bytes differ is repaired by the imported copy (its attempts kept, as
                // for a redelivery); anything else already stored is left exactly as it is.
                let repaired = try await connection.run(
                    """
                    UPDATE events SET type = \(event.type), api_version = \(event.apiVersion), created = \(event.created),
                        livemode = \(event.livemode), account = \(event.account), object_type = \(event.objectType),
                        object_id = \(event.objectID), subscription_id = \(event.subscriptionID), customer_id = \(event.customerID),
                        signature = \(event.signature), next_attempt_at = \(event.receivedAt), payload = \(payload), status = 'pending'
                    WHERE id = \(event.id) AND status IN ('failed', 'dead') AND payload <> \(payload)
                    RETURNING 1
                    """,
                    logger: logger
                )
                if repaired == 1 { result.repaired.append(event.id) } else { result.skipped.append(event.id) }
            }
            return result
        }
    }
}
