import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL (`database_url`, docs/configuration.md), parsed and checked.
struct PostgresURL: Sendable {
    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    /// `disable` (default), `prefer` or `require`, as libpq names them.
    var sslMode: String

    /// `user@host:port/database`: the URL without its password.
    var location: String { "\(username)@\(host):\(port)/\(database)" }

    init(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw PostgresStoreError(message: "database_url: expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreError(message: "database_url: the URL names no host (postgres://user:password@HOST:port/database)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStoreError(message: "database_url: the URL names no user (postgres://USER:password@host:port/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw PostgresStoreError(message: "database_url: the URL names no database (postgres://user:password@host:port/DATABASE)")
        }
        self.host = host
        port = components.port ?? 5432
        username = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw PostgresStoreError(message: "database_url: sslmode must be disable, prefer or require, not \(sslMode)")
        }
    }

    private var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case "require": return .require(.makeClientConfiguration())
        case "prefer": return .prefer(.makeClientConfiguration())
        default: return .disable
        }
    }

    var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case "prefer": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .disable
        }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}

/// The PostgreSQL store cannot be opened or used as configured; the message says what to change.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }

    /// The server's message when there is one (`PSQLError` prints only its code by default, to keep secrets out of logs).
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
