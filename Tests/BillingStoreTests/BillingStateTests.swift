import BillingCore
import BillingStore
import Foundation
import MeterBridgeTesting
import Testing

/// Derived billing state: a processing step's state, timers, actions and event statuses land together.
@Suite("Billing state")
struct BillingStateTests {
    static func commit(_ subscription: String, timers: [(String, Int64)], actions: [String], events: [String], at: UnixTime) -> BillingCommit {
        BillingCommit(
            subscription: SubscriptionRecord(id: subscription, customerID: "cus_1", updatedAt: at, state: Array("{\"v\":\(at.milliseconds)}".utf8)),
            timers: timers.map { TimerRecord(id: "\(subscription)/\($0.0)", subscriptionID: subscription, kind: $0.0, fireAt: $0.1) },
            actions: actions.map { OutboxAction(subscriptionID: subscription, eventID: events.first, action: sampleAction(kind: $0), createdAt: at) },
            finishedEvents: events.map { ($0, EventStatus.processed) },
            at: at
        )
    }

    /// An action of `kind` (its outbox name), for tests about the outbox rather than the action.
    static func sampleAction(kind: String) -> BillingAction {
        let period = ItemPeriod(itemID: "si_1", period: BillingPeriod(start: 100, end: 200))
        switch kind {
        case "flush": return .flush(UsageFlush(key: FlushKey(subscriptionID: "sub_1", itemID: "si_1", periodStart: 100, reason: .lastChance), period: period.period))
        case "open_period": return .openPeriod(period)
        case "lock_period": return .lockPeriod(period)
        case "carry_usage": return .carryUsage(UsageCarry(from: period, to: ItemPeriod(itemID: "si_1", period: BillingPeriod(start: 200, end: 300))))
        default: preconditionFailure("Invalid test action kind \(kind)")
        }
    }

    @Test(arguments: StoreKind.tested)
    func aCommitSavesStateTimersActionsAndEventStatusesTogether(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.store(makeEvent(id: "evt_1"))
            try await database.commit(Self.commit("sub_1", timers: [("preBoundary", 100), ("finalFlush", 200)], actions: ["flush", "open_period"], events: ["evt_1"], at: UnixTime(milliseconds: 10)))
            let record = try #require(try await database.subscription(id: "sub_1"))
            #expect(record.state == Array("{\"v\":10}".utf8))
            #expect(record.customerID == "cus_1")
            #expect(try await database.subscriptions(customerID: "cus_1").map(\.id) == ["sub_1"])
            #expect(try await database.timers(subscriptionID: "sub_1").map(\.fireAt) == [100, 200])
            #expect(try await database.actions(subscriptionID: "sub_1").map(\.kind) == ["flush", "open_period"])
            #expect(try await database.event(id: "evt_1")?.status == .processed)
            #expect(try await database.pendingEvents(dueAt: .distantFuture, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.tested)
    func timersAreReplacedByEachCommitAndFiredOnesDisappear(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.commit(Self.commit("sub_1", timers: [("preBoundary", 100), ("finalFlush", 200)], actions: [], events: [], at: UnixTime(milliseconds: 1)))
            try await database.commit(Self.commit("sub_2", timers: [("preBoundary", 150)], actions: [], events: [], at: UnixTime(milliseconds: 1)))
            // The boundary moved: the new set replaces the old one; other subscriptions' timers are untouched.
            try await database.commit(Self.commit("sub_1", timers: [("preBoundary", 300)], actions: [], events: [], at: UnixTime(milliseconds: 2)))
            #expect(try await database.timers(subscriptionID: "sub_1").map(\.fireAt) == [300])
            #expect(try await database.dueTimers(at: UnixTime(seconds: 299), limit: 10).map(\.id) == ["sub_2/preBoundary"])
            #expect(try await database.dueTimers(at: UnixTime(seconds: 300), limit: 10).map(\.id) == ["sub_2/preBoundary", "sub_1/preBoundary"])
            var fired = BillingCommit(subscription: nil, at: UnixTime(milliseconds: 3))
            fired.firedTimerIDs = ["sub_2/preBoundary"]
            try await database.commit(fired)
            #expect(try await database.dueTimers(at: .distantFuture, limit: 10).map(\.id) == ["sub_1/preBoundary"])
        }
    }

    @Test(arguments: StoreKind.tested)
    func actionsMoveFromPendingToDoneOrDead(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.commit(Self.commit("sub_1", timers: [], actions: ["flush", "lock_period", "carry_usage"], events: [], at: UnixTime(milliseconds: 1)))
            let pending = try await database.pendingActions(limit: 10)
            #expect(pending.map(\.kind) == ["flush", "lock_period", "carry_usage"])
            #expect(pending.map(\.seq) == pending.map(\.seq).sorted())
            try await database.markActionsDone(seqs: [pending[0].seq], at: UnixTime(milliseconds: 5))
            try await database.markActionFailed(seq: pending[1].seq, error: "Stripe said no", maxAttempts: 2)
            #expect(try await database.pendingActions(limit: 10).map(\.kind) == ["lock_period", "carry_usage"])
            try await database.markActionFailed(seq: pending[1].seq, error: "Stripe said no again", maxAttempts: 2)
            let all = try await database.actions(subscriptionID: "sub_1")
            #expect(all.map(\.status) == [.done, .dead, .pending])
            #expect(all[1].attempts == 2)
            #expect(all[1].lastError == "Stripe said no again")
            #expect(try await database.actionCounts() == [.pending: 1, .done: 1, .dead: 1])
        }
    }

    @Test(arguments: StoreKind.tested)
    func discardingDerivedStateKeepsTheRecordOfDoneActions(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.commit(Self.commit("sub_1", timers: [("preBoundary", 100)], actions: ["flush", "flush"], events: [], at: UnixTime(milliseconds: 1)))
            let first = try #require(try await database.pendingActions(limit: 1).first)
            try await database.markActionsDone(seqs: [first.seq], at: UnixTime(milliseconds: 2))
            try await database.discardDerivedState()
            #expect(try await database.subscriptions().isEmpty)
            #expect(try await database.dueTimers(at: .distantFuture, limit: 10).isEmpty)
            #expect(try await database.actions(subscriptionID: "sub_1").map(\.status) == [.done])
        }
    }

    @Test(arguments: StoreKind.tested)
    func aGuardedCommitWritesWhenTheStoredStateIsTheExpectedOne(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.store(makeEvent(id: "evt_1"))
            try await database.store(makeEvent(id: "evt_2"))
            // nil: the subscription has no row yet.
            let first = Self.commit("sub_1", timers: [("preBoundary", 100)], actions: ["open_period"], events: ["evt_1"], at: UnixTime(milliseconds: 10))
            try await database.commit(first, ifStateIs: nil)
            #expect(try await database.subscription(id: "sub_1")?.state == Array("{\"v\":10}".utf8))

            var next = Self.commit("sub_1", timers: [("finalFlush", 200)], actions: ["flush"], events: ["evt_2"], at: UnixTime(milliseconds: 20))
            next.firedTimerIDs = ["sub_1/preBoundary"]
            try await database.commit(next, ifStateIs: Array("{\"v\":10}".utf8))
            let record = try #require(try await database.subscription(id: "sub_1"))
            #expect(record.state == Array("{\"v\":20}".utf8) && record.updatedAt == UnixTime(milliseconds: 20))
            #expect(try await database.timers(subscriptionID: "sub_1").map(\.id) == ["sub_1/finalFlush"])
            #expect(try await database.actions(subscriptionID: "sub_1").map(\.kind) == ["open_period", "flush"])
            #expect(try await database.events(EventQuery()).map(\.status) == [.processed, .processed])
        }
    }

    @Test(arguments: StoreKind.tested)
    func aGuardedCommitOnAChangedStateThrowsAndWritesNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await database.store(makeEvent(id: "evt_1"))
            try await database.store(makeEvent(id: "evt_2"))
            try await database.commit(Self.commit("sub_1", timers: [("preBoundary", 100)], actions: ["open_period"], events: ["evt_1"], at: UnixTime(milliseconds: 10)))

            // The step read the state at 5, another writer committed the state at 10 since.
            var stale = Self.commit("sub_1", timers: [("finalFlush", 200)], actions: ["flush", "lock_period"], events: ["evt_2"], at: UnixTime(milliseconds: 20))
            stale.firedTimerIDs = ["sub_1/preBoundary"]
            let conflict = await #expect(throws: BillingStateConflict.self) {
                try await database.commit(stale, ifStateIs: Array("{\"v\":5}".utf8))
            }
            #expect(conflict == BillingStateConflict(subscriptionID: "sub_1"))
            // Expecting no row where there is one is a conflict too.
            let created = await #expect(throws: BillingStateConflict.self) { try await database.commit(stale, ifStateIs: nil) }
            #expect(created?.subscriptionID == "sub_1")

            let record = try #require(try await database.subscription(id: "sub_1"))
            #expect(record.state == Array("{\"v\":10}".utf8) && record.updatedAt == UnixTime(milliseconds: 10))
            #expect(try await database.timers(subscriptionID: "sub_1").map(\.id) == ["sub_1/preBoundary"])
            #expect(try await database.actions(subscriptionID: "sub_1").map(\.kind) == ["open_period"])
            #expect(try await database.actionCounts() == [.pending: 1, .done: 0, .dead: 0])
            let second = try #require(try await database.event(id: "evt_2"))
            #expect(second.status == .pending && second.processedAt == nil)
            #expect(try await database.pendingEvents(dueAt: .distantFuture, limit: 10).map(\.id) == ["evt_2"])

            // Expecting a state on a subscription that has no row is a conflict, and creates none.
            let unknown = Self.commit("sub_2", timers: [("preBoundary", 1)], actions: ["flush"], events: ["evt_2"], at: UnixTime(milliseconds: 30))
            let missing = await #expect(throws: BillingStateConflict.self) { try await database.commit(unknown, ifStateIs: [1]) }
            #expect(missing?.subscriptionID == "sub_2")
            #expect(try await database.subscription(id: "sub_2") == nil)
            #expect(try await database.timers(subscriptionID: "sub_2").isEmpty)
            #expect(try await database.actions(subscriptionID: "sub_2").isEmpty)
            #expect(try await database.event(id: "evt_2")?.status == .pending)
        }
    }
}
