import BillingCore
import StripeEventBuilders
import TestPrimitives

/// What a generated story contains, to check the generator covers every feature.
struct StoryFeatures: OptionSet {
    let rawValue: Int
    static let migration = StoryFeatures(rawValue: 1)
    static let replacingMigration = StoryFeatures(rawValue: 2)
    static let midCycleChange = StoryFeatures(rawValue: 4)
    static let cancellation = StoryFeatures(rawValue: 8)
    static let pause = StoryFeatures(rawValue: 16)
    static let duplicates = StoryFeatures(rawValue: 32)
    static let snapshotTie = StoryFeatures(rawValue: 64)
    static let scheduleRelease = StoryFeatures(rawValue: 128)
    static let meterStart = StoryFeatures(rawValue: 256)
    static let informational = StoryFeatures(rawValue: 512)
}

/// Generates realistic event sets of one subscription: creation, renewals (update, draft invoice,
/// finalization, sometimes payment), a schedule-driven legacy → meter migration, a mid-cycle price
/// change, pause and resume, cancellation at period end and deletion, duplicates and same-second ties.
enum StoryGenerator {
    static func story(seed: UInt64) -> (Story, StoryFeatures) {
        var random = SeededRandom(seed: seed)
        var features: StoryFeatures = []
        let shape: APIShape = random.chance(0.5) ? .acacia : .basil
        let startsOnMeter = random.chance(0.2)
        if startsOnMeter { features.insert(.meterStart) }
        var story = Story(shape: shape, usage: startsOnMeter ? Story.meter : Story.legacy)
        story.created(at: Story.start + random.int(0...2))
        let renewals = Int(random.int(1...4))
        let migrationAt = !startsOnMeter && random.chance(0.6) ? Int(random.int(1...Int64(renewals))) : nil
        let midCycleIn = random.chance(0.4) ? Int(random.int(0...Int64(renewals))) : nil
        let pauseIn = random.chance(0.2) ? Int(random.int(0...Int64(renewals))) : nil
        let cancels = random.chance(0.5)
        var scheduleOpen = false

        for cycle in 0...renewals {
            let current = story.period
            // Within the period.
            if pauseIn == cycle {
                features.insert(.pause)
                let pausedAt = current.start + random.int(2 * Story.day...5 * Story.day)
                story.update(EventType.subscriptionPaused, at: pausedAt) { $0.status = "paused" }
                story.update(EventType.subscriptionResumed, at: pausedAt + random.int(1...2 * Story.day)) { $0.status = "active" }
            }
            if migrationAt == cycle + 1 {
                features.insert(.migration)
                let from = [Story.base, Story.legacy], to = [Story.base, Story.meter]
                let expand = random.chance(0.7)
                story.schedule(
                    EventType.scheduleCreated, at: current.start + random.int(6 * Story.day...9 * Story.day), switchAt: current.end, from: from,
                    to: to, expandPrices: expand)
                scheduleOpen = true
                if random.chance(0.3) {
                    features.insert(.scheduleRelease)
                    story.schedule(
                        EventType.scheduleReleased, at: current.start + random.int(10 * Story.day...12 * Story.day), switchAt: current.end,
                        from: from, to: to, status: "released", expandPrices: expand)
                    scheduleOpen = false
                }
            }
            if midCycleIn == cycle {
                features.insert(.midCycleChange)
                let usage = story.subscription.items[1].price
                let replacement: TestPrice = usage.mode == .meter ? Story.meterB : (random.chance(0.5) ? Story.legacyB : Story.meter)
                story.update(at: current.start + random.int(13 * Story.day...16 * Story.day)) { $0.items[1].price = replacement }
            }
            if random.chance(0.25) {
                // An update that changes nothing meterbridge reads (metadata), sometimes in the same
                // second as the next one: a tie only the event id can order.
                features.insert(.snapshotTie)
                let time = current.start + 17 * Story.day
                story.update(at: time) { _ in }
                story.update(at: time) { _ in }
            }
            if random.chance(0.15) {
                features.insert(.informational)
                story.invoice(EventType.invoiceUpcoming, for: current, at: current.end - 3 * Story.day)
                story.meterError(at: current.start + 20 * Story.day)
            }
            if cycle == renewals {
                if cancels {
                    features.insert(.cancellation)
                    story.update(at: current.start + random.int(21 * Story.day...25 * Story.day)) {
                        $0.cancelAtPeriodEnd = true
                        $0.cancelAt = current.end
                        $0.canceledAt = current.start + 21 * Story.day
                    }
                    story.update(EventType.subscriptionDeleted, at: current.end + random.int(0...2)) {
                        $0.status = "canceled"
                        $0.endedAt = current.end
                    }
                    story.invoice(EventType.invoiceCreated, for: current, at: current.end + random.int(0...3))
                    story.invoice(EventType.invoiceFinalized, for: current, at: current.end + 3600 + random.int(0...3))
                }
                break
            }
            // The boundary.
            let migrates = migrationAt == cycle + 1 && scheduleOpen
            let replaces = migrates && random.chance(0.5)
            if replaces { features.insert(.replacingMigration) }
            let updateDelay = random.int(0...3), invoiceDelay = random.int(0...3)
            let ended = story.period
            story.renew(delay: updateDelay) { subscription in
                guard migrates else { return }
                if replaces {
                    subscription.items[1] = TestItem(id: "si_usage_meter", price: Story.meter, period: subscription.items[1].period)
                } else {
                    subscription.items[1].price = Story.meter
                }
            }
            story.invoice(EventType.invoiceCreated, for: ended, at: ended.end + invoiceDelay)
            if migrates {
                story.schedule(
                    EventType.scheduleUpdated, at: ended.end + random.int(0...3), switchAt: ended.end, from: [Story.base, Story.legacy],
                    to: [Story.base, Story.meter])
                scheduleOpen = false
            }
            story.invoice(EventType.invoiceFinalized, for: ended, at: ended.end + 3600 + random.int(0...3))
            if random.chance(0.5) { story.invoice(EventType.invoicePaid, for: ended, at: ended.end + 3600 + random.int(4...60)) }
        }
        let duplicates = Int(random.int(0...3))
        if duplicates > 0 { features.insert(.duplicates) }
        for _ in 0..<duplicates {
            story.duplicate(Int(random.int(0...Int64(story.documents.count - 1))))
        }
        return (story, features)
    }
}
