import Logging
import StripeDouble
import TestPrimitives

/// How a demo run is set up: the usage amounts' seed, whether the Stripe double injects faults, and logging.
public struct DemoOptions: Sendable {
    /// Seeds the usage amounts (and the fault draws): the same seed gives the same run.
    public var seed: UInt64
    /// Turns on the double's random 429s, 500s, dropped connections and slow answers on every usage call.
    public var faults: Bool
    /// Keeps the temporary directory (the SQLite file) after the run instead of removing it.
    public var keepDirectory: Bool
    /// Where meterbridge and the double log; nowhere by default, so the timeline is the output.
    public var logger: Logger

    public init(seed: UInt64 = 1, faults: Bool = false, keepDirectory: Bool = false, logger: Logger? = nil) {
        self.seed = seed
        self.faults = faults
        self.keepDirectory = keepDirectory
        self.logger = logger ?? Logger(label: "meterbridge.demo", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// The fault mix of `--faults`: about one call in three fails in some way, so retries show on every flush.
    public var randomFaults: RandomFaults? {
        guard faults else { return nil }
        return RandomFaults(seed: seed, rates: [
            .init(.rateLimited, probability: 0.15), .init(.status(500, shouldRetry: nil), probability: 0.1),
            .init(.dropConnection(.afterApplying), probability: 0.1), .init(.dropConnection(.beforeApplying), probability: 0.05),
            .init(.slow(.milliseconds(20)), probability: 0.1),
        ])
    }
}

/// Usage amounts drawn from the seed, so a seed always tells the same story.
struct DemoAmounts {
    private var random: SeededRandom

    init(seed: UInt64) {
        // Scrambled first: raw seeds that differ by SplitMix64's step would give shifted sequences.
        random = SeededRandom(seed: SeededRandom.mix(seed))
    }

    /// A quantity in `range`.
    mutating func next(_ range: ClosedRange<Int64>) -> Int64 {
        // A remainder rather than `int(_:)`: it keeps the amounts every seed has always given.
        range.lowerBound + Int64(random.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}
