/// Faults drawn at random for every request to an endpoint whose queue is empty, from a seeded
/// generator so a failing run can be replayed with the same seed.
public struct RandomFaults: Sendable {
    /// One fault and the probability (0…1) that a request gets it.
    public struct Rate: Sendable {
        public var fault: InjectedFault
        public var probability: Double

        public init(_ fault: InjectedFault, probability: Double) {
            self.fault = fault
            self.probability = probability
        }
    }

    public var seed: UInt64
    /// Checked in order against one uniform draw; the probabilities should add up to at most 1.
    public var rates: [Rate]

    public init(seed: UInt64, rates: [Rate]) {
        self.seed = seed
        self.rates = rates
    }
}

/// SplitMix64: small, fast and fully determined by its seed (the generator behind Java's SplittableRandom).
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
