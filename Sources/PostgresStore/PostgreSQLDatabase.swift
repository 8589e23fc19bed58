import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The PostgreSQL store: inbox, billing state, usage ledger and reports on one database that several meterbridge
/// instances share. Each instance opens its own `PostgreSQLDatabase`, whose `leaseOwner` names it in the `leases` table.
public final class PostgreSQLDatabase: Sendable {
    /// This instance's name in the `leases` table: host, process and a random part, so a restarted process is a new owner.
    public let leaseOwner: String
    /// Where the store is, without the password (for logs and errors).
    public let location: String
    /// The migrations `open` applied (`1 initial`, …), for `meterbridge migrate` to print.
    public let appliedMigrations: [String]
    /// The schema version the database is at.
    public let schemaVersion: Int
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    private init(client: PostgresClient, location: String, leaseOwner: String, applied: [String], schemaVersion: Int, logger: Logger) {
        self.client = client
        appliedMigrations = applied
        self.schemaVersion = schemaVersion
        self.location = location
        self.leaseOwner = leaseOwner
        self.logger = logger
        // The pool works only while `run()` runs. A task of its own, not a service of the group: the store must outlive
        // the HTTP server's drain, and `StoreService` closes it last.
        runner = Task { await client.run() }
    }

    /// Connects to the database `url` names, checks it can be reached with those credentials, and creates or upgrades the
    /// schema when `migrate` is set (instances starting together take turns: the migrations hold an advisory lock).
    ///
    /// - Parameter maximumConnections: the pool's size; webhook commits, the processor and the reporter share it.
    public static func open(url: String, logger: Logger, migrate: Bool = true, maximumConnections: Int = 24) async throws -> PostgreSQLDatabase {
        let settings = try PostgresURL(url)
        // A direct connection first: it fails fast with the server's own reason (refused, no such role, bad password),
        // where the pool would keep retrying in the background and leave the caller waiting.
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try settings.connectionConfiguration(), id: 0, logger: logger
            )
        } catch {
            throw PostgresStoreError(message: "cannot connect to PostgreSQL at \(settings.location): \(PostgresStoreError.reason(error))")
        }
        let applied: [String]
        let version: Int
        do {
            applied = migrate ? try await PostgresMigrator.migrate(connection, logger: logger) : []
            version = try await PostgresMigrator.checkCurrent(connection, logger: logger, location: settings.location)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        var configuration = settings.clientConfiguration
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 2
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return PostgreSQLDatabase(
            client: client, location: settings.location, leaseOwner: Self.makeLeaseOwner(), applied: applied, schemaVersion: version, logger: logger
        )
    }

    /// Stops the pool: queries still running finish or fail; new ones fail.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    private static func makeLeaseOwner() -> String {
        let process = ProcessInfo.processInfo
        let random = (0..<4).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        return "\(process.hostName)-\(process.processIdentifier)-\(random)"
    }

    /// Runs `body` in one transaction on one pooled connection: committed when it returns, rolled back when it throws
    /// (its error is rethrown as is, so callers see `BillingStateConflict`, `UsageLedgerError` and the like).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.inTransaction(logger: logger) { try await body(connection) }
        }
    }

    /// The rows of `query` on a pooled connection, each decoded by `row`.
    func rows<T: Sendable>(_ query: PostgresQuery, _ row: (PostgresRow) throws -> T) async throws -> [T] {
        try await client.withConnection { try await $0.rows(query, logger: logger, row) }
    }

    /// Runs a statement for its effect; returns how many rows it returned (statements here say `RETURNING 1` to count).
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> Int {
        try await client.withConnection { try await $0.run(query, logger: logger) }
    }
}

extension PostgresConnection {
    /// Runs `body` between BEGIN and COMMIT on this connection; ROLLBACK and the body's own error when it throws.
    func inTransaction<T>(isolation: isolated (any Actor)? = #isolation, logger: Logger, _ body: () async throws -> T) async throws -> T {
        try await query("BEGIN", logger: logger)
        do {
            let result = try await body()
            try await query("COMMIT", logger: logger)
            return result
        } catch {
            _ = try? await query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The rows of `query` on this connection (inside a transaction), each decoded by `row`.
    func rows<T>(
        isolation: isolated (any Actor)? = #isolation, _ query: PostgresQuery, logger: Logger, _ row: (PostgresRow) throws -> T
    ) async throws -> [T] {
        var result: [T] = []
        for try await each in try await self.query(query, logger: logger) { result.append(try row(each)) }
        return result
    }

    /// Runs a statement for its effect on this connection; returns how many rows it returned.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await self.query(query, logger: logger) { count += 1 }
        return count
    }
}
