import BillingCore

/// Leases that let several instances on one store split the work: a named piece of work (`sub:<id>`, `reporter`) is
/// held by one instance at a time, until it releases it or the lease expires (so a crashed instance's work is taken
/// over). The PostgreSQL store implements it; an SQLite file has one `serve` at a time and needs none.
public protocol WorkLeasing: Sendable {
    /// This instance's name as a lease owner.
    var leaseOwner: String { get }

    /// Takes or renews, until `now + duration`, each of `names` that no other owner holds unexpired at `now`;
    /// returns the names now held by this instance.
    func acquireLeases(_ names: [String], now: UnixTime, duration: Duration) async throws -> Set<String>

    /// Gives up this instance's leases on `names` (the others' are left alone).
    func releaseLeases(_ names: [String]) async throws
}

extension WorkLeasing {
    /// Takes what it can of `names`, runs `body` with the names held, and gives them up again, also when `body` throws.
    public func withLeases<T>(
        _ names: [String], now: UnixTime, duration: Duration, _ body: (Set<String>) async throws -> T
    ) async throws -> T {
        let held = try await acquireLeases(names, now: now, duration: duration)
        do {
            let result = try await body(held)
            try await releaseLeases(Array(held))
            return result
        } catch {
            try? await releaseLeases(Array(held))
            throw error
        }
    }
}

/// Names of the work that instances lease.
public enum WorkLease {
    /// The events and timers of one subscription, applied in order by one instance at a time.
    public static func subscription(_ id: String) -> String { "sub:\(id)" }
    /// A reporting round: one instance at a time plans and sends, so the account's rate limit is shared by none.
    public static let reporter = "reporter"
}

/// A store opened once per process and closed last, after every commit has drained.
public protocol ClosableStore: Sendable {
    /// Where the store is, for logs: a file path, or `user@host:port/database` (never a password).
    var location: String { get }
    func close() async
}

extension SQLiteDatabase: ClosableStore {
    public var location: String { path }
}

extension SQLiteReadOnlyDatabase: ClosableStore {
    public var location: String { path }
}
