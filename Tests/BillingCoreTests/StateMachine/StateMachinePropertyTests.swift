import BillingCore
import TestPrimitives
import Testing

/// Order independence (the key property): for realistic event sets of one subscription, every
/// delivery order gives the same final state (timers included) and the same set of flush keys,
/// and no order emits a flush key twice.
struct StateMachinePropertyTests {
    /// Seeds of the generated stories, in chunks so that the chunks run in parallel.
    static let chunks: [ClosedRange<UInt64>] = (0..<UInt64(8)).map { (index: UInt64) -> ClosedRange<UInt64> in
        let first: UInt64 = index * 40 + 1
        return first...(first + 39)
    }

    /// Several hundred small sets (at most 7 events, drawn from a generated story): every permutation.
    @Test(arguments: chunks)
    func everyPermutationOfSmallSetsConverges(seeds: ClosedRange<UInt64>) throws {
        for seed in seeds {
            let (story, _) = StoryGenerator.story(seed: seed)
            let inputs = try story.inputs()
            var random = SeededRandom(seed: seed &* 7919)
            let size = min(inputs.count, Int(random.int(3...7)))
            let picked = Array(inputs.indices.shuffled(using: &random).prefix(size)).sorted()
            let subset = picked.map { inputs[$0] }
            let reference = MachineOutcome.run(subset)
            #expect(reference.repeatedKeys.isEmpty, "seed \(seed): a flush key was emitted twice")
            var failures = 0
            forEachPermutation(of: subset.indices.map { $0 }) { order in
                guard failures == 0 else { return }
                let outcome = MachineOutcome.run(order.map { subset[$0] })
                if outcome != reference {
                    failures += 1
                    Issue.record("seed \(seed), events \(picked.map { story.labels[$0] }), order \(order): \(difference(reference, outcome))")
                }
            }
        }
    }

    /// Whole stories (up to ~40 events): the created order, the reverse, and many random orders.
    @Test(arguments: chunks)
    func randomOrdersOfWholeStoriesConverge(seeds: ClosedRange<UInt64>) throws {
        for seed in seeds {
            let (story, _) = StoryGenerator.story(seed: seed)
            let inputs = try story.inputs()
            let chronological = inputs.indices.sorted { (created(inputs[$0]), $0) < (created(inputs[$1]), $1) }
            let reference = MachineOutcome.run(chronological.map { inputs[$0] })
            #expect(reference.repeatedKeys.isEmpty, "seed \(seed): a flush key was emitted twice")
            var random = SeededRandom(seed: seed &* 104_729)
            var orders = [Array(chronological.reversed()), Array(inputs.indices)]
            for _ in 0..<40 { orders.append(inputs.indices.shuffled(using: &random)) }
            for order in orders {
                let outcome = MachineOutcome.run(order.map { inputs[$0] })
                if outcome != reference {
                    Issue.record("seed \(seed), order \(order.map { story.labels[$0] }): \(difference(reference, outcome))")
                    break
                }
            }
        }
    }

    /// The processor's own order: sorted by `created`, but with some events arriving late (after
    /// later ones were applied), many times over.
    @Test(arguments: chunks)
    func lateArrivalsAfterCreatedOrderConverge(seeds: ClosedRange<UInt64>) throws {
        for seed in seeds {
            let (story, _) = StoryGenerator.story(seed: seed)
            let inputs = try story.inputs()
            let chronological = inputs.indices.sorted { (created(inputs[$0]), $0) < (created(inputs[$1]), $1) }
            let reference = MachineOutcome.run(chronological.map { inputs[$0] })
            var random = SeededRandom(seed: seed &* 15_485_863)
            for _ in 0..<10 {
                var order = chronological
                // Delay a few events: each is retried by Stripe and delivered after later ones.
                for _ in 0..<Int(random.int(1...4)) {
                    let from = Int(random.int(0...Int64(order.count - 1)))
                    let late = order.remove(at: from)
                    order.insert(late, at: Int(random.int(Int64(from)...Int64(order.count))))
                }
                let outcome = MachineOutcome.run(order.map { inputs[$0] })
                if outcome != reference {
                    Issue.record("seed \(seed), order \(order.map { story.labels[$0] }): \(difference(reference, outcome))")
                    break
                }
            }
        }
    }

    /// The generator covers every feature the property is about (else the property proves little).
    @Test func generatorCoversEveryFeature() {
        var seen: StoryFeatures = []
        var sizes: [Int] = []
        for seed in Self.chunks.first!.lowerBound...Self.chunks.last!.upperBound {
            let (story, features) = StoryGenerator.story(seed: seed)
            seen.formUnion(features)
            sizes.append(story.documents.count)
        }
        let all: StoryFeatures = [
            .migration, .replacingMigration, .midCycleChange, .cancellation, .pause, .duplicates, .snapshotTie, .scheduleRelease,
            .meterStart, .informational,
        ]
        #expect(seen == all)
        #expect(sizes.count >= 300)
        #expect(sizes.max()! >= 25)
    }
}

/// The `created` of an input's event.
func created(_ input: BillingInput) -> Int64 {
    switch input {
    case .subscriptionCreated(let s), .subscriptionUpdated(let s), .subscriptionDeleted(let s), .subscriptionPaused(let s),
        .subscriptionResumed(let s), .subscriptionPendingUpdateApplied(let s):
        return s.created
    case .invoiceCreated(let s), .invoiceFinalized(let s), .invoicePaid(let s), .invoicePaymentFailed(let s), .invoiceVoided(let s),
        .invoiceMarkedUncollectible(let s), .invoiceUpcoming(let s):
        return s.created
    case .scheduleCreated(let s), .scheduleUpdated(let s), .scheduleExpiring(let s), .scheduleReleased(let s), .scheduleCanceled(let s),
        .scheduleCompleted(let s), .scheduleAborted(let s):
        return s.created
    case .meterErrorReportTriggered(let report):
        return report.created
    case .timerFired, .finalFlushConfirmed:
        return 0
    }
}

/// Calls `body` with every permutation of `elements` (Heap's algorithm).
func forEachPermutation(of elements: [Int], _ body: ([Int]) -> Void) {
    var array = elements
    var counters = Array(repeating: 0, count: array.count)
    body(array)
    var index = 0
    while index < array.count {
        if counters[index] < index {
            array.swapAt(index % 2 == 0 ? 0 : counters[index], index)
            body(array)
            counters[index] += 1
            index = 0
        } else {
            counters[index] = 0
            index += 1
        }
    }
}

/// A readable account of how two outcomes differ.
func difference(_ expected: MachineOutcome, _ actual: MachineOutcome) -> String {
    var parts: [String] = []
    if expected.flushKeys != actual.flushKeys {
        let missing = expected.flushKeys.subtracting(actual.flushKeys).sorted()
        let extra = actual.flushKeys.subtracting(expected.flushKeys).sorted()
        parts.append("flush keys only in reference \(missing), only here \(extra)")
    }
    if !actual.repeatedKeys.isEmpty { parts.append("repeated \(actual.repeatedKeys)") }
    let a = expected.state, b = actual.state
    if a.items != b.items {
        for (x, y) in zip(a.items, b.items) where x != y { parts.append("item \(x.id):\n  \(x)\n  \(y)") }
        if a.items.count != b.items.count { parts.append("items \(a.items.map(\.id)) vs \(b.items.map(\.id))") }
    }
    if a.timers != b.timers { parts.append("timers \(a.timers) vs \(b.timers)") }
    if a.shadowMeters != b.shadowMeters { parts.append("shadow \(a.shadowMeters) vs \(b.shadowMeters)") }
    if a.schedules != b.schedules { parts.append("schedules \(a.schedules) vs \(b.schedules)") }
    if a.invoices != b.invoices { parts.append("invoices \(a.invoices) vs \(b.invoices)") }
    if a.watermark != b.watermark { parts.append("watermark \(String(describing: a.watermark)) vs \(String(describing: b.watermark))") }
    if parts.isEmpty { parts.append("states differ: \(a) vs \(b)") }
    return parts.joined(separator: "; ")
}
