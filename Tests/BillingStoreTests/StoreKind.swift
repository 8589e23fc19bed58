import BillingStore
import MeterBridgeTesting
import PostgresStore
import Testing

/// What the protocol tests get: every store protocol a store implements, whichever store it is.
typealias TestStore = any InboxStore & BillingStateStore & UsageLedgerStore & UsageReportStore

/// A store implementation the protocol tests run against: `@Test(arguments: StoreKind.tested)`.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String {
        switch self {
        case .sqlite: return "SQLite"
        case .postgres: return "PostgreSQL"
        }
    }

    /// SQLite always; PostgreSQL when `MB_TEST_POSTGRES_URL` names a server, and in CI, where a missing server must fail
    /// the PostgreSQL cases rather than leave them out. A developer's plain `swift test` leaves them out silently.
    static let tested: [StoreKind] = allCases.filter { $0 != .postgres || TestPostgres.isTested }
}

/// Opens a fresh, empty store of `kind` (a new SQLite file, or a new PostgreSQL database), runs `body`, then closes
/// and deletes it.
func withStore<R>(_ kind: StoreKind, _ body: (TestStore) async throws -> R) async throws -> R {
    switch kind {
    case .sqlite:
        return try await withDatabase { database, _ in try await body(database) }
    case .postgres:
        return try await withPostgresStore { database in try await body(database) }
    }
}
