import BillingCore
import Foundation
import StripeDouble
import StripeEventBuilders

/// `meterbridge demo`: an end-to-end run of meterbridge's real code — HTTP routes, inbox, processor, state machine,
/// scheduler, usage ledger, reporter and Stripe client — against the Stripe API double, on a temporary SQLite file
/// and a manual clock that moves through two billing periods and a little more (see `DemoScript.play`).
public enum DemoRun {
    /// Runs the demo and returns its timeline and per-period totals; throws only when the demo itself cannot run.
    public static func run(_ options: DemoOptions = DemoOptions(), story: DemoStory = DemoStory()) async throws -> DemoResult {
        let world = try await DemoWorld.start(story: story, options: options)
        var script = DemoScript(world: world, seed: options.seed)
        let result: DemoResult
        do {
            try await script.play()
            result = try await script.result(options: options)
        } catch {
            await world.stop(keepDirectory: options.keepDirectory)
            throw error
        }
        await world.stop(keepDirectory: options.keepDirectory)
        return result
    }
}

/// The demo's steps, each recorded on the timeline with what meterbridge did about it.
struct DemoScript {
    let world: DemoWorld
    let narration: DemoNarration
    var amounts: DemoAmounts
    var timeline: [DemoStep] = []
    /// Units posted to `POST /v1/usage`.
    var posted: Int64 = 0
    /// What Stripe billed each period (by index) through usage records, read when the period closed.
    var usageRecordsBilled: [Int: Int64] = [:]
    private var usageCount = 0

    var story: DemoStory { world.story }

    init(world: DemoWorld, seed: UInt64) {
        self.world = world
        narration = DemoNarration(story: world.story)
        amounts = DemoAmounts(seed: seed)
    }

    /// Stripe delivers a webhook (built for the delivery time); the reporter then carries out what it caused.
    mutating func webhook(_ happened: String, at time: Int64, _ payload: (Int64) -> [UInt8]) async throws {
        world.at(time)
        let before = try await world.snapshot()
        let outcome = try await world.deliver(payload(world.now))
        let after = try await world.snapshot()
        let fallback = "stored and applied; local state already up to date"
        log(time, happened, narration.describe(from: before, to: after, outcome: outcome, fallback: fallback))
    }

    /// The product posts `count` usage records of `range` units, a few minutes apart up to `time` (or at `timestamp`).
    mutating func usage(at time: Int64, count: Int = 1, _ range: ClosedRange<Int64>, timestamp: Int64? = nil, note: String = "") async throws {
        world.at(time)
        var records: [DemoUsage] = []
        for index in 0..<count {
            usageCount += 1
            let at = timestamp ?? time - Int64(count - 1 - index) * 240
            records.append(DemoUsage(id: "demo-usage-\(usageCount)", quantity: amounts.next(range), timestamp: at))
        }
        let units = records.reduce(0) { $0 + $1.quantity }
        try await world.postUsage(records)
        posted += units
        let what = count == 1 ? "1 record" : "\(count) records"
        log(time, "POST /v1/usage: \(what), \(units) units\(note)", "stored in the usage ledger (202); reported at the next flush")
    }

    /// The reporter's regular flush (every `flush.interval`): all pending usage.
    mutating func regularFlush(at time: Int64) async throws {
        try await flush("regular flush (every 60 s)", at: time, onlyActions: false)
    }

    /// A flush timer comes due: the scheduler fires it and the reporter carries out the flush it asks for.
    mutating func flush(_ happened: String, at time: Int64, onlyActions: Bool = true) async throws {
        world.at(time)
        let before = try await world.snapshot()
        let outcome = try await world.flush(onlyActions: onlyActions)
        let after = try await world.snapshot()
        log(time, happened, narration.describe(from: before, to: after, outcome: outcome, fallback: "nothing pending"))
    }

    /// Stripe renews the item into period `index + 1` and the schedule's next phase puts it on the meter price.
    mutating func stripeRenews(from index: Int, at time: Int64) throws {
        world.at(time)
        try world.stripe.advancePeriod(item: story.itemID, to: story.periods[index + 1])
        // Read before the price moves: the double bills usage records against the item's current price only.
        let billed = world.stripe.billedUsage(item: story.itemID, period: story.periods[index]) ?? 0
        usageRecordsBilled[index] = billed
        try world.stripe.changePrice(item: story.itemID, to: story.meterPrice)
        log(
            time, "Stripe renews: period \(index + 1) billed \(billed) units, item on \(story.meter.id)",
            "nothing yet: it learns of the renewal from the webhooks; usage arriving meanwhile waits for them"
        )
    }

    private mutating func log(_ time: Int64, _ happened: String, _ meterbridge: String) {
        timeline.append(DemoStep(time: time, happened: happened, meterbridge: meterbridge))
    }
}
