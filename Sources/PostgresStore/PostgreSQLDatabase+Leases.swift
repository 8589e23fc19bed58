import BillingCore
import BillingStore
import PostgresNIO

extension PostgreSQLDatabase: WorkLeasing {
    public func acquireLeases(_ names: [String], now: UnixTime, duration: Duration) async throws -> Set<String> {
        guard !names.isEmpty else { return [] }
        let until = (now + duration).milliseconds
        // New names are inserted; held ones are renewed when they are this instance's own or expired. Two statements,
        // each its own transaction, so no instance waits while holding what another waits for (one statement with both
        // deadlocked): the insert, in name order, waits only for another instance's insert of the same names (in the
        // same order) or its renewal; the renewal waits for nothing, as rows another instance is renewing or taking at
        // this moment are skipped (SKIP LOCKED): that instance has them.
        let inserted = try await rows(
            """
            INSERT INTO leases (name, owner, expires_at)
            SELECT name, \(leaseOwner), \(until) FROM unnest(\(names)::text[]) AS wanted(name) ORDER BY name
            ON CONFLICT (name) DO NOTHING
            RETURNING name
            """
        ) { try $0.decode(String.self) }
        let renewed = try await rows(
            """
            UPDATE leases SET owner = \(leaseOwner), expires_at = \(until)
            WHERE name IN (
                SELECT name FROM leases
                WHERE name = ANY(\(names)) AND (owner = \(leaseOwner) OR expires_at <= \(now.milliseconds))
                FOR UPDATE SKIP LOCKED
            )
            RETURNING name
            """
        ) { try $0.decode(String.self) }
        return Set(inserted).union(renewed)
    }

    public func releaseLeases(_ names: [String]) async throws {
        guard !names.isEmpty else { return }
        try await run("DELETE FROM leases WHERE name = ANY(\(names)) AND owner = \(leaseOwner)")
    }
}

extension PostgreSQLDatabase: ClosableStore {}
