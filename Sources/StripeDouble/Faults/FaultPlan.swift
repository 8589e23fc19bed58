import TestPrimitives

/// The faults programmed for one endpoint: a queue consumed first, then an optional random mode.
struct FaultPlan: Sendable {
    var queue: [InjectedFault] = []
    private var random: RandomFaults?
    private var generator = SeededRandom(seed: 0)

    mutating func setRandom(_ random: RandomFaults?) {
        self.random = random
        generator = SeededRandom(seed: random?.seed ?? 0)
    }

    /// The fault for the next request, if any.
    mutating func next() -> InjectedFault? {
        if !queue.isEmpty { return queue.removeFirst() }
        guard let random, !random.rates.isEmpty else { return nil }
        let draw = Double.random(in: 0..<1, using: &generator)
        var cumulative = 0.0
        for rate in random.rates {
            cumulative += rate.probability
            if draw < cumulative { return rate.fault }
        }
        return nil
    }
}
