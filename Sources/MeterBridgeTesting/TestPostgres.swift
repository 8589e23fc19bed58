import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server the tests make their databases on: `MB_TEST_POSTGRES_URL`, which `make test` sets to a
/// throwaway server (scripts/with-postgres). Each test gets a database of its own, dropped when it ends.
public enum TestPostgres {
    public static let urlVariable = "MB_TEST_POSTGRES_URL"
    static let logger = Logger(label: "meterbridge.tests.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The server's URL (any database the role can connect to: new databases are created through it).
    public static let url: String? = {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else { return nil }
        return url
    }()

    /// CI must run the PostgreSQL tests: there a missing server fails them instead of leaving them out.
    public static let isRequired = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether the PostgreSQL tests run (and, without a server, fail).
    public static var isTested: Bool { url != nil || isRequired }

    /// Fresh databases at a time: each holds a few pooled connections, and the tests run in parallel on a server with
    /// a `max_connections` of 200 (scripts/with-postgres).
    private static let gate = TestGate(limit: 8)

    /// Creates an empty database (no schema), runs `body` with its URL, then drops it, also when `body` throws.
    public static func withFreshDatabase<R>(_ body: (String) async throws -> R) async throws -> R {
        guard let url else { throw TestPostgresMissing() }
        let server = try TestServerURL(url)
        await gate.enter()
        do {
            let result = try await withFreshDatabase(on: server, body)
            await gate.leave()
            return result
        } catch {
            await gate.leave()
            throw error
        }
    }

    private static func withFreshDatabase<R>(on server: TestServerURL, _ body: (String) async throws -> R) async throws -> R {
        let name = "mbtest_" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        // The name is ours (letters, digits, underscore): safe to splice, as CREATE DATABASE takes no parameters.
        try await server.withConnection { _ = try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: TestPostgres.logger) }
        let result: R
        do {
            result = try await body(server.url(database: name))
        } catch {
            try? await drop(name, on: server)
            throw error
        }
        try await drop(name, on: server)
        return result
    }

    /// Drops a test database. A plain DROP first: it waits out an autovacuum worker visiting the new database, which
    /// FORCE may not end for a role that is not superuser (PostgreSQL 15). FORCE then ends connections a failed test
    /// left open.
    private static func drop(_ name: String, on server: TestServerURL) async throws {
        try await server.withConnection { connection in
            do {
                _ = try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name)"), logger: TestPostgres.logger)
            } catch {
                _ = try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: TestPostgres.logger)
            }
        }
    }

    /// Runs `body` on a plain connection to `url`, for what the store protocols do not show (schema, raw rows).
    public static func withConnection<R>(to url: String, _ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await TestServerURL(url).withConnection(body)
    }
}

/// Why the PostgreSQL tests fail in CI without a server.
public struct TestPostgresMissing: Error, CustomStringConvertible {
    public var description: String {
        "\(TestPostgres.urlVariable) is not set: run the tests through `make test`, which starts PostgreSQL"
    }
}

/// The test server's URL, taken apart to connect to it and to name other databases on it.
private struct TestServerURL {
    var components: URLComponents

    init(_ url: String) throws {
        guard let components = URLComponents(string: url), components.host != nil, components.user != nil else {
            throw TestServerURLError(message: "\(TestPostgres.urlVariable) is not a postgres://user:password@host:port/database URL")
        }
        // The test support connects without TLS, as to scripts/with-postgres's server; `prefer` falls back to that.
        if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value, mode == "require" {
            throw TestServerURLError(message: "\(TestPostgres.urlVariable): sslmode=require is not supported by the test support")
        }
        self.components = components
    }

    /// The same server and credentials, database `name`.
    func url(database name: String) -> String {
        var components = components
        components.path = "/" + name
        return components.string ?? ""
    }

    func withConnection<R>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "",
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: String(components.path.drop { $0 == "/" }), tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: TestPostgres.logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

private struct TestServerURLError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// At most `limit` holders at a time; the others wait in order.
actor TestGate {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        available = limit
    }

    func enter() async {
        if available > 0 {
            available -= 1
            return
        }
        // Not cancellable: a test waits its turn or the run ends.
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
