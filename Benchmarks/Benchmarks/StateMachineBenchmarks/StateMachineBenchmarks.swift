import Benchmark
import BillingCore
import Foundation

/// State machine throughput in memory (target: at least 500,000 events/s). One iteration is
/// one event: `apply` on pre-decoded inputs; parse + decode + map + apply; apply + encoding the
/// state as the processor persists it per event.
let benchmarks: @Sendable () -> Void = {
    // A thousand events per sample, so the clock reads stay out of the per-event figures (`*` rows are per event).
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3)
    )

    let bodies = BenchmarkStories.bodies(subscriptions: 64)
    let events = bodies.map { try! StripeEvent(parsing: $0) }
    let inputs = events.map { try! BillingInput(event: $0)! }
    let subscriptionIDs = events.map { $0.subscriptionID! }

    /// Feeds events in order, starting a fresh machine at each new subscription.
    struct Feeder {
        var index = 0
        var machine: BillingStateMachine?

        mutating func next(_ subscriptionIDs: [String]) -> Int {
            if index == subscriptionIDs.count { index = 0 }
            if machine?.state.subscriptionID != subscriptionIDs[index] {
                machine = BillingStateMachine(subscriptionID: subscriptionIDs[index])
            }
            defer { index += 1 }
            return index
        }
    }

    Benchmark("apply, pre-decoded (\(inputs.count) events of \(64) subscriptions)") { benchmark in
        var feeder = Feeder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let index = feeder.next(subscriptionIDs)
            blackHole(feeder.machine!.apply(inputs[index], now: 0))
        }
    }

    Benchmark("parse + decode + map + apply") { benchmark in
        var feeder = Feeder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let index = feeder.next(subscriptionIDs)
            let event = try! StripeEvent(parsing: bodies[index])
            blackHole(feeder.machine!.apply(try! BillingInput(event: event)!, now: 0))
        }
    }

    Benchmark("apply + encode state (JSONEncoder)") { benchmark in
        var feeder = Feeder()
        let encoder = JSONEncoder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let index = feeder.next(subscriptionIDs)
            blackHole(feeder.machine!.apply(inputs[index], now: 0))
            blackHole(try! encoder.encode(feeder.machine!.state))
        }
    }

    // What a rebuild adds per event besides applying it: the workflow around the machine, and encoding the outbox
    // actions it decides. The two encoders write the same bytes (a BillingCoreTests case checks it).
    let actions: [BillingAction] = {
        var collector = Feeder()
        var actions: [BillingAction] = []
        for _ in inputs.indices {
            let index = collector.next(subscriptionIDs)
            actions += collector.machine!.apply(inputs[index], now: 0).filter(\.isRecordedInOutbox)
        }
        return actions
    }()

    Benchmark("workflow: apply through SubscriptionWorkflow, pre-decoded") { benchmark in
        var feeder = Feeder()
        var workflow: SubscriptionWorkflow?
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let index = feeder.next(subscriptionIDs)
            if workflow?.state.subscriptionID != subscriptionIDs[index] {
                workflow = SubscriptionWorkflow(state: SubscriptionState(subscriptionID: subscriptionIDs[index]), configuration: .default)
            }
            workflow!.apply(.event(id: "evt", created: 0, .input(inputs[index])), now: .epoch)
            blackHole(workflow!.takeOutput())
        }
    }

    Benchmark("outbox action: JSONEncoder, sorted keys (\(actions.count) actions)") { benchmark in
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            blackHole(try! encoder.encode(actions[iteration % actions.count]))
        }
    }

    Benchmark("outbox action: FlatJSONEncoder (\(actions.count) actions)") { benchmark in
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            blackHole(try! FlatJSONEncoder.encode(actions[iteration % actions.count]))
        }
    }
}
