import BillingCore
import BillingStore
import Foundation
import MeterBridgeTesting
import PostgresNIO
@testable import PostgresStore
import Testing

/// The typed outbox: every `BillingAction` comes back as it was stored, and rows of the earlier field-bag layout are
/// rewritten by the migration as the layout this release writes.
@Suite("Outbox payloads")
struct OutboxPayloadTests {
    static let period = ItemPeriod(itemID: "si_1", period: BillingPeriod(start: 1_700_000_000, end: 1_702_592_000))
    static let next = ItemPeriod(itemID: "si_2", period: BillingPeriod(start: 1_702_592_000, end: 1_705_184_000))

    /// One action of every kind the outbox records, each with the field-bag payload an earlier release wrote for it.
    static let legacyRows: [(action: BillingAction, kind: String, payload: String)] = [
        (.openPeriod(period), "open_period", #"{"itemID":"si_1","kind":"open_period","periodEnd":1702592000,"periodStart":1700000000}"#),
        (
            .flush(UsageFlush(key: FlushKey(subscriptionID: "sub_1", itemID: "si_1", periodStart: 1_700_000_000, reason: .final), period: period.period)),
            "flush",
            #"{"flushKey":"sub_1\/si_1\/1700000000\/final","itemID":"si_1","kind":"flush","periodEnd":1702592000,"periodStart":1700000000,"reason":"final"}"#
        ),
        (
            .switchMode(ModeSwitch(itemID: "si_2", productID: nil, from: .legacy, to: .meter, effectiveAt: 1_702_592_000, replacedItemID: "si_1")),
            "switch_mode",
            #"{"effectiveAt":1702592000,"fromMode":"legacy","itemID":"si_2","kind":"switch_mode","replacedItemID":"si_1","toMode":"meter"}"#
        ),
        (
            .switchMode(ModeSwitch(itemID: "si_1", productID: nil, from: .legacy, to: .meter, effectiveAt: 1_701_000_000)),
            "switch_mode", #"{"effectiveAt":1701000000,"fromMode":"legacy","itemID":"si_1","kind":"switch_mode","toMode":"meter"}"#
        ),
        // A row from before re-reports named their switch covers its period so far, as it did then.
        (.rereport(Rereport(itemID: "si_1", period: period.period, usageFrom: 1_700_000_000, switchedAt: 1_702_592_000, billedFrom: 1_702_592_000)), "rereport", #"{"itemID":"si_1","kind":"rereport","periodEnd":1702592000,"periodStart":1700000000}"#),
        (.startShadowMeter(itemID: "si_1", until: 1_702_592_000), "start_shadow_meter", #"{"itemID":"si_1","kind":"start_shadow_meter","until":1702592000}"#),
        (.stopShadowMeter(itemID: "si_1"), "stop_shadow_meter", #"{"itemID":"si_1","kind":"stop_shadow_meter"}"#),
        (.lockPeriod(period), "lock_period", #"{"itemID":"si_1","kind":"lock_period","periodEnd":1702592000,"periodStart":1700000000}"#),
        (
            .carryUsage(UsageCarry(from: period, to: next)), "carry_usage",
            #"{"itemID":"si_1","kind":"carry_usage","periodEnd":1702592000,"periodStart":1700000000,"toItemID":"si_2","toPeriodEnd":1705184000,"toPeriodStart":1702592000}"#
        ),
        (
            .meterErrorReported(MeterErrorReport(eventID: "evt_1", created: 0, meterID: "mtr_1")), "meter_error_reported",
            #"{"detail":"event evt_1 meter mtr_1","kind":"meter_error_reported"}"#
        ),
        (
            .meterErrorReported(MeterErrorReport(eventID: "evt_2", created: 0, meterID: nil)), "meter_error_reported",
            #"{"detail":"event evt_2 meter unknown","kind":"meter_error_reported"}"#
        ),
        (
            .ambiguousSnapshotTie(keptEventID: "evt_a", otherEventID: "evt_b"), "ambiguous_snapshot_tie",
            #"{"detail":"kept evt_a over evt_b","kind":"ambiguous_snapshot_tie"}"#
        ),
    ]

    @Test(arguments: StoreKind.tested)
    func everyActionComesBackAsItWasStored(_ kind: StoreKind) async throws {
        let actions = Self.legacyRows.map(\.action) + [
            .meterErrorReported(MeterErrorReport(eventID: "evt_\u{1}\n\t\"/", created: 42, meterID: "mtr_ü")),
            .switchMode(ModeSwitch(itemID: "si_2", productID: "prod_1", from: .meter, to: .legacy, effectiveAt: 5)),
        ]
        try await withStore(kind) { database in
            let commit = BillingCommit(
                subscription: nil, actions: actions.map { OutboxAction(subscriptionID: "sub_1", eventID: nil, action: $0, createdAt: UnixTime(milliseconds: 1)) }, at: UnixTime(milliseconds: 1)
            )
            try await database.commit(commit)
            let stored = try await database.actions(subscriptionID: "sub_1")
            #expect(stored.map { try? $0.action.get() } == actions)
            #expect(stored.map(\.kind) == actions.map(\.kind))
        }
    }

    @Test(arguments: StoreKind.tested)
    func actionsARoundCarriedOutAreMarkedDoneTogether(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let actions = (0..<700).map { OutboxAction(subscriptionID: "sub_1", eventID: nil, action: .stopShadowMeter(itemID: "si_\($0)"), createdAt: UnixTime(milliseconds: 1)) }
            try await database.commit(BillingCommit(subscription: nil, actions: actions, at: UnixTime(milliseconds: 1)))
            let pending = try await database.pendingActions(limit: 1_000)
            // More than one SQLite statement's worth, and one left waiting.
            try await database.markActionsDone(seqs: pending.dropLast().map(\.seq), at: UnixTime(milliseconds: 9))
            #expect(try await database.actionCounts() == [.pending: 1, .done: 699, .dead: 0])
            #expect(try await database.pendingActions(limit: 10).map(\.seq) == [pending.last!.seq])
        }
    }

    @Test func sqliteMigrationRewritesEveryLegacyRow() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let before = try await SQLiteDatabase.open(
            path: directory.databasePath, configuration: SQLiteDatabase.Configuration(migrations: Migration.all.filter { $0.version < 10 }),
            logger: testLogger
        )
        try await before.write { connection in
            for row in Self.legacyRows {
                try connection.run(
                    "INSERT INTO actions (subscription_id, kind, created_at, payload) VALUES ('sub_1', ?1, 1, ?2)",
                    [.text(row.kind), .blob(Array(row.payload.utf8))]
                )
            }
        }
        await before.close()
        let after = try await SQLiteDatabase.open(path: directory.databasePath, logger: testLogger)
        defer { Task { await after.close() } }
        let stored = try await after.actions(subscriptionID: "sub_1")
        #expect(stored.map { try? $0.action.get() } == Self.legacyRows.map(\.action))
        // Byte for byte what this release writes, so a rebuild recognises the actions it decides again. Re-reports are
        // the exception: rows from before they named their switch read with the switch filled in from the period, and a
        // rebuild that decides one again records its own (a waiting row that differs keeps waiting, as any other).
        let bytes = try await after.read { connection in
            try connection.query("SELECT payload FROM actions WHERE kind != 'rereport' ORDER BY seq") { $0.blob(at: 0) }
        }
        let expected = Self.legacyRows.filter { $0.kind != "rereport" }
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } == expected.map { String(decoding: OutboxPayload.encode($0.action), as: UTF8.self) })
    }

    @Test func postgresMigrationRewritesEveryLegacyRow() async throws {
        guard TestPostgres.isTested else { return }
        try await withFreshPostgresDatabase { url in
            try await TestPostgres.withConnection(to: url) { connection in
                try await migratePostgres(connection, below: 4)
                for row in Self.legacyRows {
                    try await connection.query(
                        "INSERT INTO actions (subscription_id, kind, created_at, payload) VALUES ('sub_1', \(row.kind), 1, \(ByteBuffer(string: row.payload)))",
                        logger: testLogger
                    )
                }
            }
            try await withPostgresStore(at: url) { database in
                let stored = try await database.actions(subscriptionID: "sub_1")
                #expect(stored.map { try? $0.action.get() } == Self.legacyRows.map(\.action))
            }
        }
    }
}
