import BillingCore
import StripeEventBuilders
import Testing

/// Every invoice that bills a period closes it (docs/billing-rules.md, "Invoices that close a period"): renewals, an
/// update that resets the billing cycle anchor, the final invoice of an immediate cancellation; and the draft's
/// `automatically_finalizes_at` is the deadline for late meter usage of the period.
struct StateMachineInvoiceReasonTests {
    static let first = period(Story.start, Story.start + Story.month)
    static let resetAt = Story.start + 10 * Story.day

    /// An invoice event of the story's subscription for `period`, with `billingReason` and, for a draft, the time
    /// Stripe will finalize it.
    static func invoice(
        _ story: inout Story, _ type: String, for period: BillingPeriod, at time: Int64, billingReason: String, finalizesAt: Int64? = nil
    ) {
        let draft = type == EventType.invoiceCreated
        var document = TestEvents.invoice(
            type, id: story.nextEventID(), created: time, invoiceID: "in_\(billingReason)_\(period.end)", subscription: story.subscription,
            period: period, status: draft ? "draft" : "open", billingReason: billingReason, finalizedAt: draft ? nil : time, shape: story.shape
        )
        document = TestEvents.setting("automatically_finalizes_at", to: finalizesAt.map(JSONValue.int) ?? .null, inObjectOf: document)
        story.append(document, "\(type)(\(billingReason))@\(time)")
    }

    /// created, then at `resetAt` an update that resets the billing cycle anchor: every item starts a new period now.
    static func anchorReset(_ shape: APIShape) -> Story {
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.update(at: resetAt) { subscription in
            for index in subscription.items.indices { subscription.items[index].period = period(resetAt, resetAt + Story.month) }
        }
        return story
    }

    @Test(arguments: APIShape.allCases)
    func subscriptionUpdateInvoiceOfAnAnchorResetClosesThePeriodItEnded(shape: APIShape) throws {
        var story = Self.anchorReset(shape)
        let ended = period(Story.start, Self.resetAt)
        Self.invoice(&story, EventType.invoiceCreated, for: ended, at: Self.resetAt + 1, billingReason: "subscription_update")
        Self.invoice(&story, EventType.invoiceFinalized, for: ended, at: Self.resetAt + 3601, billingReason: "subscription_update")
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0...2], now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .invoiced, "the draft bills the period the reset ended")
        let finalized = machine.apply(inputs[3], now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .locked)
        #expect(finalized.locked.contains(ItemPeriod(itemID: "si_usage", period: ended)))
        #expect(finalized.carries == [UsageCarry(from: ItemPeriod(itemID: "si_usage", period: ended),
                                                 to: ItemPeriod(itemID: "si_usage", period: period(Self.resetAt, Self.resetAt + Story.month)))])
    }

    @Test(arguments: APIShape.allCases)
    func anAnchorResetInvoiceArrivingFirstClosesThePeriodOnceTheUpdateShowsItEnded(shape: APIShape) throws {
        var story = Self.anchorReset(shape)
        let ended = period(Story.start, Self.resetAt)
        Self.invoice(&story, EventType.invoiceFinalized, for: ended, at: Self.resetAt + 3601, billingReason: "subscription_update")
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test()
        _ = machine.apply([inputs[0], inputs[2]], now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .open, "before the update nothing says the period ended")
        _ = machine.apply(inputs[1], now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .locked)
    }

    @Test(arguments: APIShape.allCases)
    func aProrationInvoiceInsideThePeriodClosesNothing(shape: APIShape) throws {
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        // An upgrade invoiced at once: its period is the stretch so far, but the period goes on.
        Self.invoice(&story, EventType.invoiceFinalized, for: period(Story.start, Self.resetAt), at: Self.resetAt, billingReason: "subscription_update")
        var machine = BillingStateMachine.test()
        let actions = machine.apply(try story.inputs(), now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .open)
        #expect(actions.locked.isEmpty)
    }

    @Test(arguments: APIShape.allCases, ["subscription_update", "subscription_cycle", "subscription_cancel"])
    func finalInvoiceOfAnImmediateCancellationLocksTheEndedPeriod(shape: APIShape, billingReason: String) throws {
        let canceledAt = Story.start + 12 * Story.day
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.update(EventType.subscriptionDeleted, at: canceledAt) { subscription in
            subscription.status = "canceled"
            subscription.canceledAt = canceledAt
            subscription.endedAt = canceledAt
        }
        let ended = period(Story.start, canceledAt)
        Self.invoice(&story, EventType.invoiceFinalized, for: ended, at: canceledAt + 1, billingReason: billingReason)
        var machine = BillingStateMachine.test()
        let inputs = try story.inputs()
        _ = machine.apply(inputs[0...1], now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .ended)
        // No final-flush confirmation: the finalized invoice alone says nothing more bills in the period.
        let finalized = machine.apply(inputs[2], now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .locked)
        #expect(finalized.locked.contains(ItemPeriod(itemID: "si_usage", period: ended)))
    }

    @Test func manualInvoicesCloseNothing() throws {
        var story = Self.anchorReset(.basil)
        Self.invoice(&story, EventType.invoiceFinalized, for: period(Story.start, Self.resetAt), at: Self.resetAt + 5, billingReason: "manual")
        var machine = BillingStateMachine.test()
        _ = machine.apply(try story.inputs(), now: 0)
        #expect(machine.periodState("si_usage", Story.start) == .ended)
    }

    @Test(arguments: APIShape.allCases)
    func theDraftsAutomaticFinalizationIsThePeriodsMeterDeadline(shape: APIShape) throws {
        var story = Story(shape: shape, usage: Story.meter)
        story.created(at: Story.start + 1)
        story.renew()
        Self.invoice(&story, EventType.invoiceCreated, for: Self.first, at: Self.first.end + 3, billingReason: "subscription_cycle", finalizesAt: Self.first.end + 7200)
        var machine = BillingStateMachine.test()
        _ = machine.apply(try story.inputs(), now: 0)
        let ended = try #require(machine.state.item(id: "si_usage")?.period(startingAt: Self.first.start))
        #expect(ended.state == .invoiced)
        #expect(ended.finalizesAt == Self.first.end + 7200)
        // Stripe rescheduled the finalization (a later draft update): the later event wins, whatever the order.
        var later = story
        Self.invoice(&later, EventType.invoiceCreated, for: Self.first, at: Self.first.end + 60, billingReason: "subscription_cycle", finalizesAt: Self.first.end + 9000)
        let inputs = try later.inputs()
        for order in [inputs, [inputs[0], inputs[1], inputs[3], inputs[2]]] {
            var machine = BillingStateMachine.test()
            _ = machine.apply(order, now: 0)
            #expect(machine.state.item(id: "si_usage")?.period(startingAt: Self.first.start)?.finalizesAt == Self.first.end + 9000)
        }
    }
}
