import BillingCore
import StripeDouble
import StripeEventBuilders
import TestPrimitives

/// Generates a small random subscription story from a seed: a few periods of usage with Stripe changes between them,
/// webhooks delivered on time or not, faults, restarts, a crash and a restore. Same seed, same story.
struct StoryGenerator {
    static let start: Int64 = 1_762_000_000
    static let period: Int64 = 30 * 86_400

    private var random: SeededRandom
    private var story: SimulatedStory
    private var now: Int64 = StoryGenerator.start
    private var periodStart = StoryGenerator.start
    private var periodEnd = StoryGenerator.start + StoryGenerator.period
    /// Per metric: its item id and price now.
    private var items: [String: DoubleSubscriptionItem] = [:]
    private var postCount = 0
    private var posted: [UsagePost] = []
    private var itemCounter = 0
    private var priceCounter = 0
    private var pendingLate = false
    /// When the oldest held-back webhook was sent.
    private var lateSince: Int64?

    /// The variants every story may use: the golden path the others are added to.
    static let baseline: Set<SimulationVariant> = [.acacia, .basil, .renewal, .sumMetric, .usageWithID]

    /// The story of `seed`, using only `allowed` variants (all of them by default).
    static func story(seed: UInt64, allowed: Set<SimulationVariant> = Set(SimulationVariant.allCases)) -> SimulatedStory {
        var generator = StoryGenerator(seed: seed, allowed: allowed.union(baseline))
        generator.generate()
        return generator.story
    }

    private let allowed: Set<SimulationVariant>

    /// Whether the story may use `variant`.
    private func may(_ variant: SimulationVariant) -> Bool { allowed.contains(variant) }

    private init(seed: UInt64, allowed: Set<SimulationVariant>) {
        self.allowed = allowed
        var random = SeededRandom(seed: SeededRandom.mix(seed))
        let shape: APIShape = random.chance(0.5) ? .acacia : .basil
        // `billing_mode` exists from basil on (2025-06-30.basil); acacia subscriptions are classic.
        let mode: DoubleBillingMode = shape == .basil && random.chance(0.25) && allowed.contains(.flexibleMode) ? .flexible : .classic
        var metrics: [SimulatedMetric] = random.chance(0.55) ? [.api] : (random.chance(0.5) ? [.seats] : [.api, .seats])
        if !allowed.contains(.lastMetric) { metrics = [.api] }
        self.random = random
        story = SimulatedStory(seed: seed, shape: shape, billingMode: mode, metrics: metrics)
        story.variants.insert(shape == .acacia ? .acacia : .basil)
        if mode == .flexible { story.variants.insert(.flexibleMode) }
        for metric in metrics { story.variants.insert(metric.last ? .lastMetric : .sumMetric) }
    }

    private mutating func generate() {
        if random.chance(0.3), may(.stripeFaults) {
            story.variants.insert(.stripeFaults)
            story.faults = RandomFaults(seed: random.next(), rates: [
                .init(.rateLimited, probability: 0.1), .init(.status(500, shouldRetry: nil), probability: 0.05),
                .init(.dropConnection(.afterApplying), probability: 0.08), .init(.dropConnection(.beforeApplying), probability: 0.05),
                .init(.slow(.milliseconds(3)), probability: 0.05),
            ])
        }
        var initial: [DoubleSubscriptionItem] = []
        for metric in story.metrics {
            let legacy = random.chance(0.6)
            let lastEver = legacy && metric.last && random.chance(0.3)
            if lastEver { story.lastEver = true }
            let item = DoubleSubscriptionItem(id: nextItemID(metric), price: legacy ? metric.legacy(nextPriceTag(), lastEver: lastEver) : metric.meterPrice(nextPriceTag()))
            items[metric.name] = item
            initial.append(item)
        }
        let createInvoice = random.chance(0.15) && may(.createInvoice)
        if createInvoice { story.variants.insert(.createInvoice) }
        at(start + 60)
        change(.create(items: initial, createInvoice: createInvoice))
        let cycles = Int(random.int(1...3))
        for cycle in 0..<cycles {
            let lastCycle = cycle == cycles - 1
            if cycleOfUsage(lastCycle: lastCycle) == .ended { return }
        }
        deliverLateIfAny()
        flush()
    }

    private var start: Int64 { Self.start }

    private enum CycleEnd { case renewed, ended }

    /// One period: usage, at most one mid-cycle change, then the boundary (or the end of the story).
    private mutating func cycleOfUsage(lastCycle: Bool) -> CycleEnd {
        let changeAt = random.chance(0.55) ? random.int((periodStart + 5 * 86_400)...(periodEnd - 5 * 86_400)) : nil
        usage(from: periodStart + 3_600, to: (changeAt ?? periodEnd) - 7_200, count: Int(random.int(1...3)))
        sprinkleRuntimeEvents()
        var migrationPlanned = false
        if let changeAt {
            if random.chance(0.3), may(.usagePendingAtChange) {
                // Posted just before the change, inside one flush interval: still pending when Stripe switches.
                story.variants.insert(.usagePendingAtChange)
                let metric = story.metrics[Int(random.int(0...Int64(story.metrics.count - 1)))]
                at(changeAt - 20)
                post(UsagePost(metric: metric, quantity: random.int(1...9), timestamp: changeAt - 25, id: nextUsageID()), late: false)
            }
            at(changeAt)
            switch midCycleChange(at: changeAt, lastCycle: lastCycle) {
            case .ended: return .ended
            case .anchorReset:
                return .renewed
            case .planned: migrationPlanned = true
            case .none: break
            }
            usage(from: changeAt + 600, to: periodEnd - 7_200, count: Int(random.int(0...2)))
        }
        sprinkleRuntimeEvents()
        if lastCycle, !migrationPlanned, random.chance(0.3), may(.cancelAtPeriodEnd) {
            story.variants.insert(.cancelAtPeriodEnd)
            at(max(now + 60, periodEnd - 3 * 86_400))
            change(.cancelAtPeriodEnd)
            usage(from: now + 60, to: periodEnd - 7_200, count: 1)
            boundary(ending: true)
            return .ended
        }
        boundary(ending: false)
        if migrationPlanned { story.variants.insert(.scheduleMigration) }
        return .renewed
    }

    private enum ChangeOutcome { case none, planned, anchorReset, ended }

    private mutating func midCycleChange(at changeAt: Int64, lastCycle: Bool) -> ChangeOutcome {
        let metric = story.metrics[Int(random.int(0...Int64(story.metrics.count - 1)))]
        guard let item = items[metric.name] else { return .none }
        let roll = random.int(0...99)
        switch roll {
        case 0..<12 where item.price.mode == .legacy && !lastCycle && may(.scheduleMigration)
            && (!story.lastEver || !metric.last || may(.lastEverMigration)):
            change(.planMigration(item: item.id, to: metric.meterPrice(nextPriceTag())))
            items[metric.name]?.price = metric.meterPrice("planned")
            plannedMigration[metric.name] = true
            if story.lastEver, metric.last { story.variants.insert(.lastEverMigration) }
            return .planned
        case 12..<20 where may(.anchorReset):
            story.variants.insert(.anchorReset)
            change(.resetAnchor)
            periodStart = changeAt
            periodEnd = changeAt + Self.period
            usage(from: changeAt + 600, to: changeAt + 86_400, count: 1)
            return .anchorReset
        case 20..<27 where lastCycle && may(.cancelImmediately):
            story.variants.insert(.cancelImmediately)
            change(.cancelImmediately)
            lateUsage(stampedBefore: changeAt, finalization: changeAt + 3_600, modes: items.mapValues(\.price.mode))
            deliverLateIfAny()
            flush()
            return .ended
        default:
            // A flexible subscription's `last` metric bills each segment's latest value separately; those stories
            // switch only `sum` metrics, so the judge compares one value per period.
            if story.billingMode == .flexible, metric.last { return .none }
            let toMeter = random.chance(0.5)
            let replace = random.chance(0.35)
            let oneUpdate = random.chance(0.5)
            let kind: SimulationVariant
            switch (item.price.mode, toMeter) {
            case (.legacy, true): kind = .switchLegacyToMeter
            case (.meter, true): kind = .switchMeterToMeter
            case (.meter, false): kind = .switchMeterToLegacy
            default: kind = .switchLegacyToLegacy
            }
            let replacement: SimulationVariant = oneUpdate ? .replaceItemOneUpdate : .replaceItemTwoUpdates
            guard may(kind), !replace || may(replacement) else { return .none }
            let price = toMeter ? metric.meterPrice(nextPriceTag()) : metric.legacy(nextPriceTag(), lastEver: false)
            if carriedIntoPeriod {
                guard may(.switchAfterCarriedUsage) else { return .none }
                story.variants.insert(.switchAfterCarriedUsage)
            }
            if metric.last {
                guard may(.lastMetricSwitch) else { return .none }
                story.variants.insert(.lastMetricSwitch)
            }
            story.variants.insert(kind)
            if replace {
                story.variants.insert(replacement)
                let newItem = DoubleSubscriptionItem(id: nextItemID(metric), price: price)
                change(.replaceItem(item: item.id, with: newItem, oneUpdate: oneUpdate))
                items[metric.name] = newItem
            } else {
                change(.changePrice(item: item.id, to: price))
                items[metric.name]?.price = price
            }
            if story.lastEver, metric.last { story.lastEver = false }  // a switch ends the last_ever price
            return .none
        }
    }

    private var plannedMigration: [String: Bool] = [:]
    /// Whether late legacy usage was carried into the current period.
    private var carriedIntoPeriod = false

    /// The boundary: Stripe renews (or ends) the subscription, late usage arrives, the invoice finalizes.
    private mutating func boundary(ending: Bool) {
        at(periodEnd - 600)
        flush()
        at(periodEnd + 30)
        change(.renew)
        let ended = (start: periodStart, end: periodEnd)
        let oldModes = Dictionary(uniqueKeysWithValues: story.metrics.map { metric in
            (metric.name, plannedMigration[metric.name] == true ? ReportingMode.legacy : items[metric.name]?.price.mode ?? .none)
        })
        if !ending {
            story.variants.insert(.renewal)
            periodStart = periodEnd
            periodEnd += Self.period
        }
        plannedMigration = [:]
        carriedIntoPeriod = false
        lateUsage(stampedBefore: ended.end, finalization: ended.end + 30 + 3_600, modes: oldModes)
        deliverLateIfAny()
        flush()
    }

    /// Usage stamped in the ended period that arrives after its boundary: before the invoice finalizes, or after.
    private mutating func lateUsage(stampedBefore end: Int64, finalization: Int64, modes: [String: ReportingMode]) {
        // Held-back webhooks of the boundary arrive within Stripe's finalization grace, which starts only once
        // `invoice.created` was delivered: a minute and a half late, after the boundary's flushes.
        at(now + 60)
        deliverLateIfAny()
        guard random.chance(0.35) else {
            at(finalization + 60)
            finalize()
            return
        }
        let metric = story.metrics[Int(random.int(0...Int64(story.metrics.count - 1)))]
        let afterFinalization = random.chance(0.3)
        let kind: SimulationVariant =
            modes[metric.name] == .legacy ? .lateLegacyUsage : (afterFinalization ? .lateMeterUsageAfterFinalization : .lateMeterUsageInTime)
        guard may(kind) else {
            at(finalization + 60)
            finalize()
            return
        }
        if afterFinalization {
            at(finalization + 120)
            finalize()
        } else {
            at(now + 120)
        }
        post(UsagePost(metric: metric, quantity: random.int(1...9), timestamp: end - random.int(600...3_000), id: nextUsageID()), late: true)
        story.variants.insert(kind)
        if kind == .lateLegacyUsage { carriedIntoPeriod = true }
        if !afterFinalization {
            flush()
            at(finalization + 60)
            finalize()
        }
    }

    /// `count` posts per metric between `from` and `to`, with duplicates and id-less repeats among them.
    private mutating func usage(from: Int64, to: Int64, count: Int) {
        guard count > 0, to > from, to > now else { return }
        var times = (0..<(count * story.metrics.count)).map { _ in random.int(max(from, now + 1)...to) }
        times.sort()
        for time in times {
            at(time)
            let metric = story.metrics[Int(random.int(0...Int64(story.metrics.count - 1)))]
            let roll = random.int(0...99)
            if roll < 10, may(.duplicateID), let earlier = posted.filter({ $0.id != nil && $0.metric == metric && $0.timestamp >= periodStart }).last {
                story.variants.insert(.duplicateID)
                post(earlier, late: false)
                continue
            }
            let id = roll < 30 && may(.idlessUsage) ? nil : nextUsageID()
            let usage = UsagePost(metric: metric, quantity: random.int(1...9), timestamp: max(periodStart, time - random.int(0...120)), id: id)
            story.variants.insert(id == nil ? .idlessUsage : .usageWithID)
            post(usage, late: false)
            if id == nil, random.chance(0.3), may(.idlessRepeat) {
                story.variants.insert(.idlessRepeat)
                post(usage, late: false)
            }
            if random.chance(0.5) { flush() }
        }
    }

    private mutating func post(_ usage: UsagePost, late: Bool) {
        story.steps.append(.usage(usage))
        posted.append(usage)
    }

    /// Restarts, a crash during a flush, a backup and a restore, at random between the story's steps.
    private mutating func sprinkleRuntimeEvents() {
        if random.chance(0.12), may(.restart) {
            story.variants.insert(.restart)
            flush()
            story.steps.append(.restart)
        }
        if random.chance(0.08), may(.crash), story.steps.contains(where: { if case .usage = $0 { return true } else { return false } }) {
            story.variants.insert(.crash)
            story.steps.append(.crash(afterCalls: Int(random.int(0...2))))
            // Down for longer than Stripe keeps idempotency keys (24 h): a retry must not bill twice.
            if random.chance(0.4), may(.retryAfterKeyExpiry), now + 26 * 3_600 < periodEnd - 86_400 {
                story.variants.insert(.retryAfterKeyExpiry)
                now += 25 * 3_600
                story.steps.append(.downtime(until: now))
            }
        }
        if random.chance(0.05), may(.restore), !story.variants.contains(.restore) {
            story.variants.insert(.restore)
            flush()
            story.steps.append(.backup)
            usage(from: now + 60, to: now + 3_600, count: 1)
            flush()
            story.steps.append(.restore)
            usage(from: now + 60, to: now + 3_600, count: 1)
        }
    }

    /// A Stripe change with a random delivery of its webhooks.
    private mutating func change(_ change: StripeChange) {
        var delivery = Delivery.now
        if case .create = change {} else {
            switch random.int(0...99) {
            case 0..<8 where may(.lateWebhook) && (!Self.isSwitch(change) || may(.lateSwitchWebhook)):
                delivery = .late
                story.variants.insert(.lateWebhook)
                if Self.isSwitch(change) { story.variants.insert(.lateSwitchWebhook) }
                pendingLate = true
                if lateSince == nil { lateSince = now }
            case 8..<16 where may(.outOfOrderWebhooks): delivery = .reversed; story.variants.insert(.outOfOrderWebhooks)
            case 16..<24 where may(.duplicateWebhook): delivery = .duplicated; story.variants.insert(.duplicateWebhook)
            default: break
            }
        }
        story.steps.append(.stripe(change, delivery))
    }

    /// Whether `change` moves an item to another price inside the period.
    private static func isSwitch(_ change: StripeChange) -> Bool {
        switch change {
        case .changePrice, .replaceItem: return true
        default: return false
        }
    }

    /// Stripe finalizes an invoice about an hour after its `invoice.created` webhook succeeded, so webhooks held back
    /// are delivered first.
    private mutating func finalize() {
        deliverLateIfAny()
        change(.finalizeInvoices)
    }

    private mutating func deliverLateIfAny() {
        guard pendingLate else { return }
        at(now + 30)
        story.steps.append(.deliverLate)
        pendingLate = false
        lateSince = nil
    }

    private mutating func flush() {
        if story.steps.last != .flush { story.steps.append(.flush) }
    }

    private mutating func at(_ time: Int64) {
        guard time > now else { return }
        // Stripe retries a failed delivery for up to three days; held-back webhooks arrive within two.
        if pendingLate, let since = lateSince, time > since + 2 * 86_400 {
            now = since + 2 * 86_400
            story.steps.append(.clock(now))
            story.steps.append(.deliverLate)
            pendingLate = false
            lateSince = nil
        }
        now = time
        story.steps.append(.clock(time))
    }

    private mutating func nextItemID(_ metric: SimulatedMetric) -> String {
        itemCounter += 1
        return "si_sim_\(metric.product)_\(itemCounter)"
    }

    private mutating func nextPriceTag() -> String {
        priceCounter += 1
        return String(priceCounter)
    }

    private mutating func nextUsageID() -> String {
        postCount += 1
        return "use_\(story.seed)_\(postCount)"
    }
}
