import BillingCore
import Testing

/// The hand-built basil story (Fixtures/handbuilt/README.md): a legacy metered item replaced by a
/// meter item at the 2025-06-01 schedule phase, the May renewal invoice, deletion on 2025-07-01.
struct StateMachineHandbuiltTests {
    static let apr: Int64 = 1_743_465_600, may: Int64 = 1_746_057_600, jun: Int64 = 1_748_736_000, jul: Int64 = 1_751_328_000
    static let subscriptionID = "sub_1RDyHkLz3pQ8vWmNa2Hb7cUe"
    static let names = [
        "customer.subscription.created", "subscription_schedule.updated", "customer.subscription.updated", "invoice.created",
        "customer.subscription.deleted",
    ]

    static func inputs() throws -> [BillingInput] {
        var inputs = try names.map { name in
            try #require(try BillingInput(event: FixtureLoader.event("handbuilt/\(name).handbuilt.2025-03-31.basil.json")))
        }
        inputs.append(
            try #require(try BillingInput(event: FixtureLoader.event("handbuilt/v1.billing.meter.error_report_triggered.handbuilt.thin.json"))))
        return inputs
    }

    static func key(_ item: String, _ start: Int64, _ reason: FlushReason) -> FlushKey {
        FlushKey(subscriptionID: subscriptionID, itemID: item, periodStart: start, reason: reason)
    }

    @Test func storyInCreatedOrder() throws {
        let inputs = try Self.inputs()
        var machine = BillingStateMachine(subscriptionID: Self.subscriptionID)
        let created = machine.apply(inputs[0], now: Self.apr)
        #expect(created.opened.count == 2)
        // The schedule's current phase began on Jun 1 and plans nothing after it.
        #expect(machine.apply(inputs[1], now: Self.jun).isEmpty)
        #expect(machine.state.plannedTransitions.isEmpty)

        let update = machine.apply(inputs[2], now: Self.jun)
        // previous_attributes reveal May (never seen as a snapshot here) and the legacy item's removal.
        #expect(
            Set(update.opened.map { "\($0.itemID)@\($0.period.start)" }) == [
                "si_S8EtBase0001aa@\(Self.may)", "si_S8EtLegacyApi1@\(Self.may)", "si_S8EtBase0001aa@\(Self.jun)", "si_SPqMeterApi001@\(Self.jun)",
            ])
        #expect(
            update.switches == [
                ModeSwitch(
                    itemID: "si_SPqMeterApi001", productID: "prod_S8EqApiReqs002", from: .legacy, to: .meter, effectiveAt: Self.jun,
                    replacedItemID: "si_S8EtLegacyApi1")
            ])
        #expect(update.rereports.isEmpty)
        #expect(
            Set(update.flushKeys) == [
                Self.key("si_S8EtLegacyApi1", Self.apr, .lastChance), Self.key("si_S8EtLegacyApi1", Self.may, .lastChance),
                Self.key("si_S8EtLegacyApi1", Self.may, .final),
            ])
        #expect(
            update.carries.contains(
                UsageCarry(
                    from: ItemPeriod(itemID: "si_S8EtLegacyApi1", period: period(Self.may, Self.jun)),
                    to: ItemPeriod(itemID: "si_SPqMeterApi001", period: period(Self.jun, Self.jul)))))
        let legacy = try #require(machine.state.item(id: "si_S8EtLegacyApi1"))
        #expect(legacy.removal == ItemRemoval(at: 1_748_736_002, lastPeriodStart: Self.may))
        #expect(machine.state.item(id: "si_SPqMeterApi001")?.mode == .meter)

        #expect(machine.apply(inputs[3], now: Self.jun).isEmpty)
        #expect(machine.periodState("si_S8EtLegacyApi1", Self.may) == .invoiced)
        #expect(machine.state.item(id: "si_S8EtLegacyApi1")?.period(startingAt: Self.may)?.invoiceID == "in_1RUu0ZLz3pQ8vWmNrenewJun")

        let deleted = machine.apply(inputs[4], now: Self.jul)
        #expect(Set(deleted.flushKeys) == [Self.key("si_SPqMeterApi001", Self.jun, .lastChance), Self.key("si_SPqMeterApi001", Self.jun, .final)])
        #expect(machine.state.timers.isEmpty)
        #expect(machine.state.endedAt == Self.jul)

        let report = machine.apply(inputs[5], now: Self.jun)
        #expect(
            report == [
                .meterErrorReported(
                    MeterErrorReport(
                        eventID: "evt_test_65SZrxLz3pQ8vWmN16SZrxLz3pQ8vWmNmtrErr01", created: 1_748_736_312,
                        meterID: "mtr_61SZrsQbGuWDF1Mbe41Lz3pQ8vWmNy5E"))
            ])
        #expect(machine.apply(inputs[5], now: Self.jun).isEmpty, "duplicate report")
        #expect(machine.state.item(id: "si_SPqMeterApi001")?.meterID == "mtr_61SZrsQbGuWDF1Mbe41Lz3pQ8vWmNy5E")
    }

    @Test func storyConvergesInAllSevenHundredTwentyOrders() throws {
        let inputs = try Self.inputs()
        func run(_ order: [Int]) -> MachineOutcome {
            var machine = BillingStateMachine(subscriptionID: Self.subscriptionID)
            var keys = Set<FlushKey>(), repeated: [FlushKey] = []
            for index in order {
                for key in machine.apply(inputs[index], now: 0).flushKeys where !keys.insert(key).inserted { repeated.append(key) }
            }
            return MachineOutcome(state: machine.state, flushKeys: keys, repeatedKeys: repeated)
        }
        let reference = run(Array(inputs.indices))
        #expect(reference.repeatedKeys.isEmpty)
        var count = 0
        forEachPermutation(of: Array(inputs.indices)) { order in
            count += 1
            let outcome = run(order)
            #expect(outcome == reference, "order \(order): \(difference(reference, outcome))")
        }
        #expect(count == 720)
    }
}
