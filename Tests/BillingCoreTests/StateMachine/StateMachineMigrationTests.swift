import BillingCore
import StripeEventBuilders
import Testing

/// Schedule-driven migration from a legacy metered price to a meter price (docs/billing-rules.md,
/// "Migrating from usage records to meters"), and price changes without a schedule.
struct StateMachineMigrationTests {
    static let first = period(Story.start, Story.start + Story.month)
    static let second = period(Story.start + Story.month, Story.start + 2 * Story.month)
    static let scheduledAt = Story.start + 10 * Story.day

    /// created, schedule.created (legacy → meter at the renewal), then the renewal that applies it.
    func migrationStory(_ shape: APIShape, replaceItem: Bool, expandPrices: Bool = true) -> Story {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.schedule(
            EventType.scheduleCreated, at: Self.scheduledAt, switchAt: Self.first.end, from: [Story.base, Story.legacy],
            to: [Story.base, Story.meter], expandPrices: expandPrices
        )
        story.renewalTimeline { subscription in
            if replaceItem {
                subscription.items[1] = TestItem(id: "si_meter", price: Story.meter, period: subscription.items[1].period)
            } else {
                subscription.items[1].price = Story.meter
            }
        }
        story.schedule(
            EventType.scheduleUpdated, at: Self.first.end + 3, switchAt: Self.first.end, from: [Story.base, Story.legacy],
            to: [Story.base, Story.meter]
        )
        return story
    }

    @Test(arguments: APIShape.allCases, [false, true])
    func scheduleOfAMeterPricePlansTheSwitchAndStartsTheShadowMeter(shape: APIShape, replaceItem: Bool) throws {
        let inputs = try migrationStory(shape, replaceItem: replaceItem).inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)
        let planned = machine.apply(inputs[1], now: 0)

        #expect(planned == [.startShadowMeter(itemID: "si_usage", until: Self.first.end)])
        let transition = try #require(machine.state.plannedTransitions.first)
        #expect(machine.state.plannedTransitions.count == 1)
        #expect(transition.itemID == "si_usage")
        #expect(transition.productID == "prod_api")
        #expect(transition.fromPriceID == "price_legacy")
        #expect(transition.toPriceID == "price_meter")
        #expect(transition.fromMode == .legacy)
        #expect(transition.toMode == .meter)
        #expect(transition.effectiveAt == Self.first.end)
        // The phase starts at the period end: the same boundary, so the same two timers (no duplicates).
        #expect(machine.state.timers.map(\.boundary) == [Self.first.end, Self.first.end])
    }

    @Test(arguments: APIShape.allCases, [false, true])
    func phaseStartSwitchesToMeterWithoutReReporting(shape: APIShape, replaceItem: Bool) throws {
        let inputs = try migrationStory(shape, replaceItem: replaceItem).inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0...1], now: 0)
        let update = machine.apply(inputs[2], now: 0)
        let newItem = replaceItem ? "si_meter" : "si_usage"

        #expect(
            update.switches == [
                ModeSwitch(
                    itemID: newItem, productID: "prod_api", from: .legacy, to: .meter, effectiveAt: Self.first.end,
                    replacedItemID: replaceItem ? "si_usage" : nil
                )
            ]
        )
        #expect(update.rereports.isEmpty, "a switch at the boundary starts from an empty period")
        #expect(update.contains(.stopShadowMeter(itemID: "si_usage")))
        #expect(machine.state.plannedTransitions.isEmpty)
        #expect(machine.state.shadowMeters.isEmpty)
        // The legacy period's leftovers go to the period that now carries the product.
        #expect(
            update.carries == [
                UsageCarry(from: ItemPeriod(itemID: "si_usage", period: Self.first), to: ItemPeriod(itemID: newItem, period: Self.second))
            ])
        var expectedFlushes: Set<FlushKey> = [key("si_usage", Self.first.start, .lastChance)]
        if replaceItem { expectedFlushes.insert(key("si_usage", Self.first.start, .final)) }
        #expect(Set(update.flushKeys) == expectedFlushes)
        let item = try #require(machine.state.item(id: newItem))
        #expect(item.mode == .meter)
        #expect(item.meterID == "mtr_api")
        if replaceItem {
            let removed = try #require(machine.state.item(id: "si_usage"))
            #expect(removed.isRemoved)
            #expect(removed.removal == ItemRemoval(at: Self.first.end + 2, lastPeriodStart: Self.first.start))
        }
        // The schedule moved on: nothing planned any more, whatever order the two arrive in.
        #expect(machine.apply(inputs[5], now: 0).isEmpty)
    }

    @Test(arguments: APIShape.allCases, [false, true])
    func migrationConvergesInEveryOrder(shape: APIShape, replaceItem: Bool) throws {
        let inputs = try migrationStory(shape, replaceItem: replaceItem).inputs()
        #expect(inputs.count == 6)
        let reference = MachineOutcome.run(inputs)
        var orders = 0
        forEachPermutation(of: Array(inputs.indices)) { order in
            orders += 1
            let outcome = MachineOutcome.run(order.map { inputs[$0] })
            #expect(outcome == reference, "order \(order): \(difference(reference, outcome))")
        }
        #expect(orders == 720)
    }

    @Test(arguments: APIShape.allCases)
    func unexpandedPhasePricesLeaveTheTargetModeUnknown(shape: APIShape) throws {
        let inputs = try migrationStory(shape, replaceItem: false, expandPrices: false).inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)
        #expect(machine.apply(inputs[1], now: 0).isEmpty, "no shadow meter for a target of unknown mode")
        let transition = try #require(machine.state.plannedTransitions.first)
        // The legacy price is known from the item; the meter price was never seen.
        #expect(transition.fromMode == .legacy)
        #expect(transition.itemID == "si_usage")
        #expect(transition.toMode == nil)
        #expect(!transition.isMeterMigration)
    }

    @Test(arguments: APIShape.allCases)
    func aPriceSeenBeforeResolvesAnUnexpandedPhasePrice(shape: APIShape) throws {
        // The meter price was on the subscription before (an earlier item), so its mode is known.
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 2 * Story.day) { $0.items[1].price = Story.legacy }
        story.schedule(
            EventType.scheduleCreated, at: Self.scheduledAt, switchAt: Self.first.end, from: [Story.base, Story.legacy],
            to: [Story.base, Story.meter], expandPrices: false)
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0...1], now: 0)
        // Only the item's current price is remembered: the meter price it had is not, so the mode stays unknown.
        _ = machine.apply(inputs[2], now: 0)
        #expect(machine.state.plannedTransitions.first?.toMode == nil)
        // Seen on another item of the subscription: known.
        var other = Story(shape: shape)
        other.subscription.items.append(TestItem(id: "si_other", price: Story.meter, period: Self.first))
        other.created(at: Story.start + 1)
        other.schedule(
            EventType.scheduleCreated, at: Self.scheduledAt, switchAt: Self.first.end, from: [Story.base, Story.legacy],
            to: [Story.base, Story.meter], expandPrices: false)
        var known = BillingStateMachine.test()
        let actions = known.apply(try other.inputs(), now: 0)
        #expect(known.state.plannedTransitions.first?.toMode == .meter)
        #expect(actions.contains(.startShadowMeter(itemID: "si_usage", until: Self.first.end)))
    }

    @Test(
        arguments: APIShape.allCases,
        [EventType.scheduleReleased, EventType.scheduleCanceled, EventType.scheduleAborted, EventType.scheduleCompleted])
    func finishedScheduleDropsItsTransitionsTimersAndShadow(shape: APIShape, type: String) throws {
        // A phase in the middle of the period, so it has timers of its own.
        let switchAt = Story.start + 20 * Story.day
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.schedule(
            EventType.scheduleCreated, at: Self.scheduledAt, switchAt: switchAt, from: [Story.base, Story.legacy], to: [Story.base, Story.meter])
        let status = type == EventType.scheduleReleased ? "released" : type == EventType.scheduleCompleted ? "completed" : "canceled"
        story.schedule(
            type, at: Self.scheduledAt + Story.day, switchAt: switchAt, from: [Story.base, Story.legacy], to: [Story.base, Story.meter],
            status: status)
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)
        let planned = machine.apply(inputs[1], now: 0)
        #expect(Set(planned.scheduledTimers.map(\.boundary)) == [switchAt])
        #expect(machine.state.timers.count == 4)

        let finished = machine.apply(inputs[2], now: 0)
        #expect(Set(finished.cancelledTimers.map(\.boundary)) == [switchAt])
        #expect(finished.cancelledTimers.count == 2)
        #expect(finished.contains(.stopShadowMeter(itemID: "si_usage")))
        #expect(machine.state.plannedTransitions.isEmpty)
        #expect(machine.state.timers.map(\.boundary) == [Self.first.end, Self.first.end])
        // A late schedule.created of the finished schedule stays stale.
        #expect(machine.apply(inputs[1], now: 0).isEmpty)
        #expect(machine.state.plannedTransitions.isEmpty)
    }

    @Test(arguments: APIShape.allCases)
    func shadowMeterCanBeTurnedOff(shape: APIShape) throws {
        let inputs = try migrationStory(shape, replaceItem: true).inputs()
        var machine = BillingStateMachine.test(BillingMachineConfiguration(shadowMeter: false))
        let actions = machine.apply(inputs, now: 0)
        #expect(!actions.contains { if case .startShadowMeter = $0 { true } else { false } })
        #expect(actions.switches.count == 1)
    }

    @Test(arguments: APIShape.allCases, [true, false])
    func midCycleSwitchReReportsThePeriodToDate(shape: APIShape, rereport: Bool) throws {
        let changedAt = Story.start + 12 * Story.day
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: changedAt) { $0.items[1].price = Story.meter }
        var machine = BillingStateMachine.test(BillingMachineConfiguration(midcycleRereport: rereport))
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0], now: 0)
        let actions = machine.apply(inputs[1], now: 0)
        // Stripe bills only usage reported after the update: switch now, re-report the period so far.
        #expect(actions.switches == [ModeSwitch(itemID: "si_usage", productID: "prod_api", from: .legacy, to: .meter, effectiveAt: changedAt)])
        #expect(actions.rereports == (rereport ? [ItemPeriod(itemID: "si_usage", period: Self.first)] : []))
        #expect(actions.flushes.isEmpty)
        #expect(machine.state.item(id: "si_usage")?.period(startingAt: Self.first.start)?.modes == [.legacy, .meter])
    }

    @Test(arguments: APIShape.allCases)
    func midCyclePriceChangeWithinAModeReReportsWithoutSwitching(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: Story.start + 12 * Story.day) { $0.items[1].price = Story.legacyB }
        var machine = BillingStateMachine.test()
        let actions = machine.apply(try story.inputs(), now: 0)
        #expect(actions.switches.isEmpty)
        #expect(actions.rereports == [ItemPeriod(itemID: "si_usage", period: Self.first)])
        #expect(machine.state.item(id: "si_usage")?.usageAction == (shape == .acacia ? .set : .increment))
    }

    @Test(arguments: APIShape.allCases)
    func midCycleItemReplacementFlushesCarriesAndReReports(shape: APIShape) throws {
        let changedAt = Story.start + 12 * Story.day
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: changedAt) { $0.items[1] = TestItem(id: "si_meter", price: Story.meter, period: Self.first) }
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0], now: 0)
        let actions = machine.apply(inputs[1], now: 0)
        let removedPeriod = period(Self.first.start, changedAt)
        #expect(actions.opened == [ItemPeriod(itemID: "si_meter", period: Self.first)])
        #expect(
            actions.switches == [
                ModeSwitch(itemID: "si_meter", productID: "prod_api", from: .legacy, to: .meter, effectiveAt: changedAt, replacedItemID: "si_usage")
            ])
        #expect(actions.rereports == [ItemPeriod(itemID: "si_meter", period: Self.first)])
        #expect(Set(actions.flushKeys) == [key("si_usage", Self.first.start, .lastChance), key("si_usage", Self.first.start, .final)])
        #expect(actions.flushes.allSatisfy { $0.period == removedPeriod }, "the removed item's period ends at its removal")
        #expect(
            actions.carries == [
                UsageCarry(from: ItemPeriod(itemID: "si_usage", period: removedPeriod), to: ItemPeriod(itemID: "si_meter", period: Self.first))
            ])
        // Once Stripe acknowledged the removed item's final flush, its period is locked.
        let confirmed = machine.apply(.finalFlushConfirmed(itemID: "si_usage", periodStart: Self.first.start), now: 0)
        #expect(confirmed == [.lockPeriod(ItemPeriod(itemID: "si_usage", period: removedPeriod))])
        #expect(
            machine.apply(.finalFlushConfirmed(itemID: "si_meter", periodStart: Self.first.start), now: 0).isEmpty, "the new item's period is open")
    }

    @Test(arguments: APIShape.allCases)
    func itemAddedOpensItsPeriodAndItemRemovedWithoutReplacementFlushesOnly(shape: APIShape) throws {
        let addedAt = Story.start + 5 * Story.day, removedAt = Story.start + 15 * Story.day
        let extra = TestPrice.meter("price_storage", product: "prod_storage", meter: "mtr_storage")
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.update(at: addedAt) { $0.items.append(TestItem(id: "si_storage", price: extra, period: Self.first)) }
        story.update(at: removedAt) { $0.items.removeLast() }
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0], now: 0)
        let added = machine.apply(inputs[1], now: 0)
        #expect(added == [.openPeriod(ItemPeriod(itemID: "si_storage", period: Self.first))])
        let removed = machine.apply(inputs[2], now: 0)
        #expect(Set(removed.flushKeys) == [key("si_storage", Self.first.start, .lastChance), key("si_storage", Self.first.start, .final)])
        #expect(removed.carries.isEmpty, "no item carries the product any more")
        #expect(removed.switches.isEmpty)
        #expect(machine.state.item(id: "si_storage")?.removedAt == removedAt)
    }
}
