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
