import Benchmark
import BillingCore
import Foundation

/// State machine throughput in memory (SPEC.md §6: at least 500,000 events/s). One iteration is
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
}
