import Foundation
import Synchronization
import Testing

/// Thousands of random subscription stories against the Stripe double, each judged period by period
/// (docs/testing.md, "Billing simulator"). `MB_SIM_SEED` replays one story verbosely, `MB_SIM_STORIES` sets the count,
/// `MB_SIM_ALL=1` includes the variants in `knownFailingVariants`.
@Suite(.serialized)
struct BillingSimulation {
    static let environment = ProcessInfo.processInfo.environment
    /// Stories played at once: each waits on loopback calls and SQLite commits much of the time.
    static let lanes = 3

    /// The variants a story may use: every one with `MB_SIM_ALL=1`, the baseline plus a list with
    /// `MB_SIM_ONLY=a,b` (to replay an ablation's seed), otherwise all but the known-failing ones.
    static var allowed: Set<SimulationVariant> {
        if let only = environment["MB_SIM_ONLY"] {
            return StoryGenerator.baseline.union(only.split(separator: ",").compactMap { SimulationVariant(rawValue: String($0)) })
        }
        if environment["MB_SIM_ALL"] == "1" { return Set(SimulationVariant.allCases) }
        return Set(SimulationVariant.allCases).subtracting(knownFailingVariants.keys)
    }

    @Test func everyUnitIsBilledOnceInItsPeriod() async throws {
        let allowed = Self.allowed
        if let text = Self.environment["MB_SIM_SEED"], let seed = UInt64(text) {
            let worker = try await SimulationWorker.start()
            let story = StoryGenerator.story(seed: seed, allowed: allowed)
            let outcome = try await worker.play(story)
            await worker.stop()
            print("simulation seed=\(seed) variants=\(story.variants.sorted().map(\.rawValue).joined(separator: ","))")
            print(outcome.timeline.joined(separator: "\n"))
            let passed = outcome.passed
            #expect(passed, "seed \(seed): \(outcome.mismatches.joined(separator: "; "))")
            return
        }
        let count = Self.environment["MB_SIM_STORIES"].flatMap(Int.init) ?? 2_000
        let base = UInt64.random(in: 1..<(UInt64.max / 2))
        print("simulation base seed=\(base) stories=\(count) excluded=\(Set(SimulationVariant.allCases).subtracting(allowed).sorted().map(\.rawValue))")
        let seeds = Self.seeds(from: base, count: count, allowed: allowed)
        let started = ContinuousClock.now
        let outcomes = try await Self.play(seeds, allowed: allowed)
        let failures = outcomes.filter { !$0.passed }
        print("simulation stories=\(outcomes.count) failures=\(failures.count) elapsed=\(ContinuousClock.now - started)")
        print(Self.coverage(outcomes))
        Self.report(failures)
        #expect(failures.count == 0, "\(failures.count) of \(outcomes.count) stories failed; first seed \(failures.first.map { String($0.seed) } ?? "-"): \(failures.first?.mismatches.joined(separator: "; ") ?? "")")
    }

    /// Which variants fail on their own: for each, `MB_SIM_ABLATE` stories (default 100) using only the baseline and
    /// that variant (with what it needs), and the shortest failing seed, to replay with `MB_SIM_ONLY` and `MB_SIM_SEED`.
    @Test(.enabled(if: environment["MB_SIM_ABLATE"] != nil))
    func eachVariantAloneOnTheBaseline() async throws {
        let count = Self.environment["MB_SIM_ABLATE"].flatMap(Int.init) ?? 100
        var lines: [String] = []
        // `MB_SIM_ABLATE_ONLY=a,b+c` tries `a` alone and `b` with `c`; by default every variant alone.
        let combinations: [Set<SimulationVariant>] =
            Self.environment["MB_SIM_ABLATE_ONLY"].map { text in
                text.split(separator: ",").map { Set($0.split(separator: "+").compactMap { SimulationVariant(rawValue: String($0)) }) }
            } ?? SimulationVariant.allCases.filter { !StoryGenerator.baseline.contains($0) }.map { [$0] }
        for combination in combinations {
            let allowed = combination.reduce(StoryGenerator.baseline.union(combination)) { $0.union(Self.prerequisites[$1] ?? []) }
            let base = UInt64.random(in: 1..<(UInt64.max / 2))
            let outcomes = try await Self.play(Self.seeds(from: base, count: count, allowed: allowed), allowed: allowed)
            let failures = outcomes.filter { !$0.passed && combination.isSubset(of: $0.variants) }
            let using = outcomes.filter { combination.isSubset(of: $0.variants) }.count
            let variant = combination.sorted().map(\.rawValue).joined(separator: "+")
            let shortest = failures.min { $0.timeline.count < $1.timeline.count }
            let only = allowed.subtracting(StoryGenerator.baseline).sorted().map(\.rawValue).joined(separator: ",")
            let replay = shortest.map { "MB_SIM_ONLY=\(only) MB_SIM_SEED=\($0.seed)  \($0.mismatches.first ?? "")" } ?? ""
            lines.append("\(variant.padding(toLength: 40, withPad: " ", startingAt: 0)) \(String(failures.count).leftPadded(4))/\(String(using).leftPadded(4))  \(replay)")
            print("ablation \(lines.last!)")
        }
        print("ablation: variant, failing/using stories, shortest failing replay\n" + lines.joined(separator: "\n"))
    }

    /// Variants that appear only together with others.
    static let prerequisites: [SimulationVariant: Set<SimulationVariant>] = [
        .idlessRepeat: [.idlessUsage],
        .lastEverMigration: [.lastMetric, .scheduleMigration],
        .replaceItemOneUpdate: [.switchLegacyToLegacy, .switchMeterToMeter],
        .replaceItemTwoUpdates: [.switchLegacyToLegacy, .switchMeterToMeter],
        .flexibleMode: [.switchLegacyToMeter, .switchMeterToMeter],
    ]

    /// The generator reaches every variant within a default run's worth of stories.
    @Test func theGeneratorCoversEveryVariant() {
        var seen: Set<SimulationVariant> = []
        for seed in UInt64(1)...2_000 { seen.formUnion(StoryGenerator.story(seed: seed).variants) }
        #expect(Set(SimulationVariant.allCases).subtracting(seen).isEmpty, "never generated: \(Set(SimulationVariant.allCases).subtracting(seen))")
    }

    /// The generator keeps to its allowed variants, so excluding one really leaves it out.
    @Test func theGeneratorUsesOnlyAllowedVariants() {
        for seed in UInt64(1)...500 {
            let story = StoryGenerator.story(seed: seed, allowed: [.restart])
            #expect(story.variants.isSubset(of: StoryGenerator.baseline.union([.restart])), "seed \(seed): \(story.variants)")
        }
    }

    /// `count` seeds from `base` whose stories keep to `allowed`.
    static func seeds(from base: UInt64, count: Int, allowed: Set<SimulationVariant>) -> [UInt64] {
        var seeds: [UInt64] = []
        var next = base
        while seeds.count < count {
            if StoryGenerator.story(seed: next, allowed: allowed).variants.isSubset(of: allowed) { seeds.append(next) }
            next &+= 1
        }
        return seeds
    }

    /// Prints the failing seeds and the shortest failing story's timeline.
    static func report(_ failures: [StoryOutcome]) {
        guard let first = failures.min(by: { $0.timeline.count < $1.timeline.count }) else { return }
        print("simulation failing seeds: \(failures.prefix(20).map { String($0.seed) }.joined(separator: " "))")
        print("shortest failing story, seed=\(first.seed) (\(first.mismatches.joined(separator: "; "))):\n\(first.timeline.joined(separator: "\n"))")
    }

    static func play(_ seeds: [UInt64], allowed: Set<SimulationVariant>) async throws -> [StoryOutcome] {
        let queue = SeedQueue(seeds)
        return try await withThrowingTaskGroup(of: [StoryOutcome].self) { group in
            for _ in 0..<lanes {
                group.addTask {
                    let worker = try await SimulationWorker.start()
                    var outcomes: [StoryOutcome] = []
                    while let seed = queue.next() {
                        do {
                            outcomes.append(try await worker.play(StoryGenerator.story(seed: seed, allowed: allowed)))
                        } catch {
                            let story = StoryGenerator.story(seed: seed, allowed: allowed)
                            outcomes.append(StoryOutcome(seed: seed, variants: story.variants, mismatches: ["error: \(error)"], timeline: []))
                        }
                    }
                    await worker.stop()
                    return outcomes
                }
            }
            var all: [StoryOutcome] = []
            for try await outcomes in group { all += outcomes }
            return all
        }
    }

    /// Variant → stories that used it, and how many of them failed.
    static func coverage(_ outcomes: [StoryOutcome]) -> String {
        var lines = ["variant                           stories  failed"]
        for variant in SimulationVariant.allCases {
            let using = outcomes.filter { $0.variants.contains(variant) }
            let failed = using.filter { !$0.passed }.count
            let name = variant.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0)
            let excluded = knownFailingVariants[variant].map { "  (known failing: \($0))" } ?? ""
            lines.append("\(name)  \(String(using.count).leftPadded(7))  \(String(failed).leftPadded(6))\(excluded)")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// The seeds still to play, shared by the lanes.
final class SeedQueue: Sendable {
    private let seeds: Mutex<ArraySlice<UInt64>>

    init(_ seeds: [UInt64]) { self.seeds = Mutex(seeds[...]) }

    func next() -> UInt64? { seeds.withLock { $0.popFirst() } }
}
