import BillingCore
import StripeEventBuilders
import Foundation
import TestPrimitives
import Testing

/// The state is persisted per event: it round-trips through JSON, stays small, and a machine
/// resumed from it behaves exactly like one that never stopped.
struct StateMachinePersistenceTests {
    @Test(arguments: [3, 17, 42, 99] as [UInt64])
    func stateRoundTripsAndResumesIdentically(seed: UInt64) throws {
        let (story, _) = StoryGenerator.story(seed: seed)
        let inputs = try story.inputs()
        var uninterrupted = BillingStateMachine.test()
        var resumed = BillingStateMachine.test()
        for input in inputs {
            let expected = uninterrupted.apply(input, now: 0)
            let data = try JSONEncoder().encode(resumed.state)
            resumed = BillingStateMachine(state: try JSONDecoder().decode(SubscriptionState.self, from: data))
            #expect(resumed.apply(input, now: 0) == expected)
            #expect(resumed.state == uninterrupted.state)
        }
    }

    @Test func stateStaysCompactOverAYearOfRenewals() throws {
        var story = Story(shape: .basil)
        story.created(at: Story.start + 1)
        for _ in 0..<12 { story.renewalTimeline() }
        var machine = BillingStateMachine.test()
        _ = machine.apply(try story.inputs(), now: 0)
        // Six finalized renewals are kept (the configured history), older ones pruned.
        #expect(machine.state.invoices.count == 6)
        #expect(machine.state.item(id: "si_usage")?.periods.count == 7)
        #expect(machine.state.horizon == Story.start + 6 * Story.month)
        let size = try JSONEncoder().encode(machine.state).count
        #expect(size < 4_096, "\(size) bytes")
    }
}

/// Pruning: history older than the retained invoices goes, and events about it are ignored.
struct StateMachinePruningTests {
    @Test(arguments: APIShape.allCases)
    func eventsOlderThanTheHorizonAreIgnored(shape: APIShape) throws {
        var story = Story(shape: shape)
        story.created(at: Story.start + 1)
        for _ in 0..<4 { story.renewalTimeline() }
        let inputs = try story.inputs()
        var machine = BillingStateMachine.test(BillingMachineConfiguration(retainedInvoices: 2))
        _ = machine.apply(inputs, now: 0)
        #expect(machine.state.horizon == Story.start + 2 * Story.month)
        #expect(machine.state.item(id: "si_usage")?.periods.map(\.start) == [2, 3, 4].map { Story.start + $0 * Story.month })
        let state = machine.state
        for input in inputs[0..<8] {
            #expect(machine.apply(input, now: 0).isEmpty)
        }
        #expect(machine.state == state)
    }

    /// Even with the smallest history, every delivery order prunes to the same state and no flush
    /// key is emitted twice (events about pruned history are ignored, not re-applied).
    @Test(arguments: 1...60)
    func pruningConvergesInRandomOrders(seed: UInt64) throws {
        let (story, _) = StoryGenerator.story(seed: seed)
        let inputs = try story.inputs()
        let configuration = BillingMachineConfiguration(retainedInvoices: 1)
        let reference = MachineOutcome.run(inputs, configuration: configuration)
        var random = SeededRandom(seed: seed)
        for _ in 0..<30 {
            let order = inputs.indices.shuffled(using: &random)
            let outcome = MachineOutcome.run(order.map { inputs[$0] }, configuration: configuration)
            #expect(outcome.state == reference.state, "seed \(seed), order \(order): \(difference(reference, outcome))")
            #expect(outcome.repeatedKeys.isEmpty, "seed \(seed), order \(order)")
        }
    }
}
