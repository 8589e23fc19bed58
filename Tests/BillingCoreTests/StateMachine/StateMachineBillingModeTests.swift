import BillingCore
import Foundation
import StripeEventBuilders
import Testing

/// `billing_mode: flexible` (https://docs.stripe.com/billing/subscriptions/billing-mode): Stripe itself invoices the usage
/// reported before a mid-cycle price change, so meterbridge switches the mode but does not report that usage again.
struct StateMachineBillingModeTests {
    static let first = period(Story.start, Story.start + Story.month)
    static let changedAt = Story.start + 12 * Story.day

    /// created (in `mode`), then a mid-cycle update of the usage item to `price`.
    func midCycleChange(_ shape: APIShape, mode: String?, to price: TestPrice = Story.meter) throws -> [BillingInput] {
        var story = Story(shape: shape)
        story.subscription.billingMode = mode
        story.created(at: Story.start + 1)
        story.update(at: Self.changedAt) { $0.items[1].price = price }
        return try story.inputs()
    }

    @Test(arguments: [Story.meter, Story.legacyB])
    func flexibleBillingModeMidCycleSwitchIsNotReReported(price: TestPrice) throws {
        var machine = BillingStateMachine.test()
        let actions = machine.apply(try midCycleChange(.basil, mode: "flexible", to: price), now: 0)
        #expect(machine.state.billingMode == .flexible)
        #expect(actions.rereports.isEmpty, "Stripe invoices the usage before the switch itself in flexible mode")
        if price.mode == .meter {
            // The channel still changes: usage from the switch on goes to the meter.
            #expect(actions.switches == [ModeSwitch(itemID: "si_usage", productID: "prod_api", from: .legacy, to: .meter, effectiveAt: Self.changedAt)])
        }
    }

    @Test(arguments: [nil, "classic"])
    func classicOrUnstatedBillingModeMidCycleSwitchIsReReported(mode: String?) throws {
        var machine = BillingStateMachine.test()
        let actions = machine.apply(try midCycleChange(.basil, mode: mode), now: 0)
        #expect(machine.state.billingMode == .classic)
        #expect(actions.rereports == [ItemPeriod(itemID: "si_usage", period: Self.first)])
    }

    @Test func anOlderShapeWithoutBillingModeKeepsTheModeANewerOneStated() throws {
        var basil = Story(shape: .basil)
        basil.subscription.billingMode = "flexible"
        basil.created(at: Story.start + 1)
        // The same subscription rendered in acacia (an endpoint pinned to an older version) has no billing_mode.
        var acacia = Story(shape: .acacia)
        acacia.update(at: Self.changedAt) { $0.items[1].price = Story.meter }
        var machine = BillingStateMachine.test()
        _ = machine.apply(try basil.inputs(), now: 0)
        let actions = machine.apply(try acacia.inputs().last!, now: 0)
        #expect(machine.state.billingMode == .flexible)
        #expect(actions.rereports.isEmpty)
        #expect(actions.switches.count == 1)
    }

    @Test func billingModeDecodesFromTheSubscriptionAndDefaultsToUnstated() throws {
        var subscription = TestSubscription(items: [TestItem(id: "si_usage", price: Story.legacy, period: Self.first)])
        #expect(try Subscription(subscription.json(.basil), eventID: "evt_1").billingMode == nil)
        subscription.billingMode = "flexible"
        #expect(try Subscription(subscription.json(.basil), eventID: "evt_1").billingMode == .flexible)
        subscription.billingMode = "classic"
        #expect(try Subscription(subscription.json(.basil), eventID: "evt_1").billingMode == .classic)
        subscription.billingMode = "hybrid"
        #expect(try Subscription(subscription.json(.basil), eventID: "evt_1").billingMode == .unknown("hybrid"))
    }

    @Test func billingModeSurvivesThePersistedState() throws {
        var machine = BillingStateMachine.test()
        _ = machine.apply(try midCycleChange(.basil, mode: "flexible"), now: 0)
        let data = try JSONEncoder().encode(machine.state)
        #expect(try JSONDecoder().decode(SubscriptionState.self, from: data).billingMode == .flexible)
    }
}
