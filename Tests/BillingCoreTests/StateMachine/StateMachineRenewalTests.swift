import BillingCore
import StripeEventBuilders
import Testing

/// The renewal timeline (docs/billing-rules.md, "Renewal timeline and the finalization grace"): `customer.subscription.updated` (new period) and
/// `invoice.created` (the ended period) at the boundary, `invoice.finalized` about an hour later.
struct StateMachineRenewalTests {
    static let first = period(Story.start, Story.start + Story.month)
    static let second = period(Story.start + Story.month, Story.start + 2 * Story.month)

    @Test(arguments: APIShape.allCases)
    func createdOpensEveryPeriodAndArmsTheBoundaryTimers(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        var machine = BillingStateMachine.test()
        let actions = machine.apply(try story.inputs()[0], now: Story.start + 1)

        #expect(actions.opened == [ItemPeriod(itemID: "si_base", period: Self.first), ItemPeriod(itemID: "si_usage", period: Self.first)])
        let boundary = Self.first.end
        #expect(
            actions.filter { if case .scheduleTimer = $0 { true } else { false } } == [
                .scheduleTimer(BillingTimerID(subscriptionID: Story.subscriptionID, kind: .preBoundary, boundary: boundary), fireAt: boundary - 300),
                .scheduleTimer(BillingTimerID(subscriptionID: Story.subscriptionID, kind: .finalFlush, boundary: boundary), fireAt: boundary - 10),
            ]
        )
        #expect(actions.flushes.isEmpty)
        let state = machine.state
        #expect(state.customerID == "cus_test")
        #expect(state.status == .active)
        let usage = try #require(state.item(id: "si_usage"))
        #expect(usage.mode == .legacy)
        #expect(usage.usageAction == .increment)
        #expect(usage.productID == "prod_api")
        #expect(state.item(id: "si_base")?.mode == ReportingMode.none)
        #expect(usage.periods.map(\.state) == [.open])
    }

    @Test(arguments: APIShape.allCases)
    func renewalInOrderEndsInvoicesThenLocksTheEndedPeriod(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.renewalTimeline()
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)

        // customer.subscription.updated reveals the boundary: the ended period is `ended`, the new one opens,
        // the last-chance flush runs once, and legacy usage moves on (Stripe rejects back-dated records).
        let update = machine.apply(inputs[1], now: 0)
        #expect(update.opened.map(\.period) == [Self.second, Self.second])
        #expect(update.flushKeys == [key("si_usage", Self.first.start, .lastChance)])
        #expect(
            update.carries == [
                UsageCarry(from: ItemPeriod(itemID: "si_usage", period: Self.first), to: ItemPeriod(itemID: "si_usage", period: Self.second))
            ])
        #expect(Set(update.cancelledTimers.map(\.boundary)) == [Self.first.end])
        #expect(Set(update.scheduledTimers.map(\.boundary)) == [Self.second.end])
        #expect(machine.periodState("si_usage", Self.first.start) == .ended)
        #expect(machine.periodState("si_usage", Self.second.start) == .open)

        // invoice.created (billing_reason subscription_cycle, period = the ended one): invoiced.
        let created = machine.apply(inputs[2], now: 0)
        #expect(created.isEmpty)
        #expect(machine.periodState("si_usage", Self.first.start) == .invoiced)
        #expect(machine.state.item(id: "si_usage")?.period(startingAt: Self.first.start)?.invoiceID == "in_\(Self.first.end)")

        // invoice.finalized: locked, for every item the invoice bills.
        let finalized = machine.apply(inputs[3], now: 0)
        #expect(Set(finalized.locked) == [ItemPeriod(itemID: "si_base", period: Self.first), ItemPeriod(itemID: "si_usage", period: Self.first)])
        #expect(finalized.flushes.isEmpty)
        #expect(finalized.carries.isEmpty, "the legacy usage was carried at the boundary already")
        #expect(machine.periodState("si_usage", Self.first.start) == .locked)
        #expect(machine.periodState("si_base", Self.first.start) == .locked)
    }

    @Test(arguments: APIShape.allCases)
    func renewalReversedReachesTheSameStateWithOneLastChanceFlush(shape: APIShape) throws {
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.renewalTimeline()
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)

        // invoice.finalized first: the period is locked at once; the flush still runs (keyed, once).
        let finalized = machine.apply(inputs[3], now: 0)
        #expect(finalized.locked.contains(ItemPeriod(itemID: "si_usage", period: Self.first)))
        #expect(finalized.flushKeys == [key("si_usage", Self.first.start, .lastChance)])
        #expect(finalized.carries.isEmpty, "the next period is not known yet")
        // invoice.created after it: an earlier stage of the same invoice, nothing to do.
        #expect(machine.apply(inputs[2], now: 0).isEmpty)
        // The update opens the new period; the locked period's meter usage is carried into it now.
        let update = machine.apply(inputs[1], now: 0)
        #expect(update.opened.map(\.period) == [Self.second, Self.second])
        #expect(update.flushes.isEmpty)
        #expect(
            update.carries == [
                UsageCarry(from: ItemPeriod(itemID: "si_usage", period: Self.first), to: ItemPeriod(itemID: "si_usage", period: Self.second))
            ])

        #expect(MachineOutcome.run(inputs) == MachineOutcome.run([inputs[0], inputs[3], inputs[2], inputs[1]]))
    }

    @Test(arguments: APIShape.allCases)
    func meterUsageIsCarriedOnlyOnceTheInvoiceIsFinal(shape: APIShape) throws {
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.renewalTimeline()
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)
        // invoice.created first reveals the boundary: meter events of the ended period are still
        // billed until finalization, so flush, do not carry.
        let created = machine.apply(inputs[2], now: 0)
        #expect(created.flushKeys == [key("si_usage", Self.first.start, .lastChance)])
        #expect(created.carries.isEmpty)
        #expect(machine.periodState("si_usage", Self.first.start) == .invoiced)
        #expect(machine.apply(inputs[1], now: 0).carries.isEmpty)
        let finalized = machine.apply(inputs[3], now: 0)
        #expect(finalized.carries.map(\.to.period) == [Self.second])
    }

    @Test(arguments: APIShape.allCases)
    func laterInvoiceFactsOnlyMoveForward(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.renewalTimeline()
        let ended = Self.first
        story.invoice(EventType.invoicePaymentFailed, for: ended, at: ended.end + 3700)
        story.invoice(EventType.invoicePaid, for: ended, at: ended.end + 9000)
        story.invoice(EventType.invoiceMarkedUncollectible, for: ended, at: ended.end + 9100)
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0..<4], now: 0)
        #expect(machine.apply(inputs[4], now: 0).isEmpty, "payment failed: the invoice was final already")
        let paid = machine.apply(inputs[5], now: 0)
        #expect(paid.isEmpty)
        #expect(machine.state.invoices.map(\.stage) == [.paid])
        #expect(machine.apply(inputs[6], now: 0).isEmpty, "uncollectible after paid is stale")
        #expect(machine.state.invoices.map(\.stage) == [.paid])
        #expect(machine.periodState("si_usage", ended.start) == .locked)
    }

    @Test(arguments: APIShape.allCases)
    func voidedInvoiceKeepsThePeriodLocked(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.renewalTimeline()
        story.invoice(EventType.invoiceVoided, for: Self.first, at: Self.first.end + 7200)
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0..<4], now: 0)
        #expect(machine.apply(inputs[4], now: 0).isEmpty)
        #expect(machine.state.invoices.map(\.stage) == [.void])
        #expect(machine.periodState("si_usage", Self.first.start) == .locked)
    }

    @Test(arguments: APIShape.allCases, ["subscription_create", "subscription_update", "manual", "subscription_threshold"])
    func nonRenewalInvoicesCloseNothing(shape: APIShape, billingReason: String) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.invoice(EventType.invoiceCreated, for: period(Story.start + 5, Story.start + 5), at: Story.start + 5, billingReason: billingReason)
        story.invoice(EventType.invoiceFinalized, for: Self.first, at: Story.start + 6, billingReason: billingReason)
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)
        let before = machine.state
        #expect(machine.apply(inputs[1], now: 0).isEmpty)
        #expect(machine.apply(inputs[2], now: 0).isEmpty)
        // An invoice that may bill a period is recorded, but closes only a period other facts show ended by its end.
        #expect(machine.state.items == before.items)
        #expect(machine.state.timers == before.timers)
    }

    @Test(arguments: APIShape.allCases)
    func upcomingInvoiceWithoutIDIsInformational(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        story.invoice(EventType.invoiceUpcoming, for: Self.first, at: Self.first.end - 3 * Story.day)
        let inputs = try story.inputs()
        guard case .invoiceUpcoming(let upcoming) = inputs[1] else {
            Issue.record("not mapped to invoiceUpcoming: \(inputs[1])")
            return
        }
        #expect(upcoming.invoice.id == nil)
        var machine = BillingStateMachine.test()
        _ = machine.apply(inputs[0], now: 0)
        let before = machine.state
        #expect(machine.apply(inputs[1], now: 0).isEmpty)
        #expect(machine.state == before)
    }

    @Test func upcomingInvoiceFixtureFromAnOldAPIVersion() throws {
        let event = try FixtureLoader.event("invoice.upcoming.stripe-ruby-mock.no-api-version-legacy.json")
        let input = try #require(try BillingInput(event: event))
        guard case .invoiceUpcoming = input else {
            Issue.record("not mapped to invoiceUpcoming: \(input)")
            return
        }
        var machine = BillingStateMachine(subscriptionID: event.subscriptionID ?? "sub_unknown")
        #expect(machine.apply(input, now: 0).isEmpty)
    }

    @Test(arguments: APIShape.allCases)
    func severalRenewalsKeepOnePeriodPerCycle(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        for _ in 0..<3 { story.renewalTimeline() }
        let outcome = MachineOutcome.run(try story.inputs())
        let usage = try #require(outcome.state.item(id: "si_usage"))
        #expect(usage.periods.map(\.state) == [.locked, .locked, .locked, .open])
        #expect(usage.periods.map(\.carried) == [true, true, true, false])
        #expect(outcome.flushKeys == Set((0..<3).map { key("si_usage", Story.start + Int64($0) * Story.month, .lastChance) }))
        #expect(outcome.repeatedKeys.isEmpty)
        #expect(outcome.state.timers.map(\.boundary) == [Story.start + 4 * Story.month, Story.start + 4 * Story.month])
    }
}
