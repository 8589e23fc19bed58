import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import MeterBridge
import MeterBridgeTesting
import NIOCore
import StripeAPI
import StripeDouble
import StripeEventBuilders
import Synchronization
import TestPrimitives

/// One story being played: the runtime sessions between restarts, the webhooks held back, and the record of
/// everything that happened, for the judge and the timeline. Used by one task at a time (the story's), hence
/// `@unchecked Sendable`: the closures of `app.test` need a reference to it.
final class StoryRun: @unchecked Sendable {
    let story: SimulatedStory
    let stripe: StripeAPIDouble
    let clock: ManualClock
    let stripeClient: StripeClient
    let directory: SimulationDirectory
    var timeline: [String] = []
    /// Posts meterbridge accepted (202), with the time they were posted.
    var accepted: [(post: UsagePost, at: Int64)] = []
    /// Per product, from when each reporting mode was in effect.
    var modes: [String: [(from: Int64, mode: ReportingMode)]] = [:]
    private var planned: [String: TestPrice] = [:]
    private var late: [DoubleWebhook] = []
    private var index = 0
    private var backup: String { directory.path + "/backup.sqlite" }

    init(story: SimulatedStory, stripe: StripeAPIDouble, clock: ManualClock, stripeClient: StripeClient, directory: SimulationDirectory) {
        self.story = story
        self.stripe = stripe
        self.clock = clock
        self.stripeClient = stripeClient
        self.directory = directory
    }

    var now: Int64 { clock.now.seconds }

    func log(_ line: String) { timeline.append("t=\(now) \(line)") }

    /// Plays every step, one runtime session after another: a restart, a crash or a restore ends a session.
    func play() async throws {
        var ending = SessionEnd.restart
        // The session that runs out of steps also reports what is left and leaves the store for the status check.
        while ending != .finished {
            ending = try await session()
            switch ending {
            case .finished, .restart: break
            case .backup:
                try copyStore(from: directory.databasePath, to: backup)
                log("backup of the store taken")
            case .restore:
                try copyStore(from: backup, to: directory.databasePath)
                log("store restored from the backup")
            }
        }
    }

    private enum SessionEnd { case finished, restart, backup, restore }

    /// One runtime on the store file: steps run until one ends the session.
    private func session() async throws -> SessionEnd {
        // One reader: a story never reads concurrently enough to need two threads more per store.
        let database = try await SQLiteDatabase.open(
            path: directory.databasePath, configuration: SQLiteDatabase.Configuration(readerCount: 1), logger: quietLogger)
        var configuration = MeterBridgeConfiguration()
        configuration.webhook.secrets = [SimulationWorker.secret]
        configuration.adminToken = SimulationWorker.token
        configuration.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configuration.metrics = Dictionary(uniqueKeysWithValues: [SimulatedMetric.api, .seats].map { metric in
            (metric.name, MetricDefinition(product: metric.product, meterEventName: metric.eventName, aggregation: metric.last ? .last : .sum))
        })
        let runtime = MeterBridgeRuntime(configuration: configuration, store: database, clock: clock, stripe: .some(stripeClient), logger: quietLogger)
        let app = try runtime.buildApplication()
        let end: SessionEnd
        do {
            end = try await app.test(.router) { client in
                let driver = RuntimeDriver(run: self, runtime: runtime, database: database, client: client)
                let end = try await self.steps(driver)
                if end == .finished {
                    try await driver.flush()
                    try await self.checkStatus(driver)
                }
                return end
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        return end
    }

    private func steps(_ driver: RuntimeDriver) async throws -> SessionEnd {
        while index < story.steps.count {
            let step = story.steps[index]
            index += 1
            switch step {
            case .clock(let time):
                try await driver.moveClock(to: time)
            case .stripe(let change, let delivery):
                let events = try apply(change)
                try await deliver(events, delivery, driver)
            case .deliverLate:
                let held = late
                late = []
                log("late webhooks delivered: \(held.map(\.type))")
                try await driver.deliver(held)
            case .usage(let post):
                try await driver.post(post)
            case .flush:
                try await driver.flush()
            case .restart:
                log("restart")
                return .restart
            case .crash(let calls):
                try await driver.crash(afterCalls: calls)
                return .restart
            case .downtime(let until):
                log("down until \(until)")
                clock.set(seconds: until)
                return .restart
            case .backup:
                return .backup
            case .restore:
                return .restore
            }
        }
        return .finished
    }

    private func deliver(_ events: [DoubleWebhook], _ delivery: Delivery, _ driver: RuntimeDriver) async throws {
        switch delivery {
        case .now: try await driver.deliver(events)
        case .late:
            log("held back: \(events.map(\.type))")
            late += events
        case .reversed:
            log("delivered in reverse order")
            try await driver.deliver(events.reversed())
        case .duplicated:
            log("delivered twice")
            try await driver.deliver(events)
            try await driver.deliver(events)
        }
    }

    /// Makes the change on the double; returns the webhooks Stripe sends for it.
    private func apply(_ change: StripeChange) throws -> [DoubleWebhook] {
        let id = story.subscription
        log("stripe: \(change)")
        switch change {
        case .create(let items, let createInvoice):
            for item in items { modes[item.price.product, default: []].append((now, item.price.mode)) }
            return stripe.createSubscription(
                id: id, customer: story.customer, billingMode: story.billingMode,
                period: BillingPeriod(start: StoryGenerator.start, end: StoryGenerator.start + StoryGenerator.period), items: items,
                shape: story.shape, at: now, createInvoice: createInvoice)
        case .renew:
            let boundary = stripe.currentPeriod(subscription: id)?.end ?? now
            for (product, price) in planned { modes[product, default: []].append((boundary, price.mode)) }
            planned = [:]
            return try stripe.renew(subscription: id, at: now)
        case .changePrice(let item, let price):
            modes[price.product, default: []].append((now, price.mode))
            return try stripe.changePrice(subscription: id, item: item, to: price, at: now)
        case .replaceItem(let item, let newItem, let oneUpdate):
            modes[newItem.price.product, default: []].append((now, newItem.price.mode))
            return try stripe.replaceItem(subscription: id, item: item, with: newItem, at: now, oneUpdate: oneUpdate)
        case .planMigration(let item, let price):
            planned[price.product] = price
            return try stripe.planMigration(subscription: id, item: item, to: price, at: now)
        case .cancelAtPeriodEnd:
            return try stripe.cancelAtPeriodEnd(subscription: id, at: now)
        case .cancelImmediately:
            return try stripe.cancelImmediately(subscription: id, at: now)
        case .resetAnchor:
            return try stripe.resetBillingCycleAnchor(subscription: id, at: now)
        case .finalizeInvoices:
            return stripe.finalizeDueInvoices(at: now)
        }
    }

    /// The reporting mode of `product`'s item at `time`.
    func mode(_ product: String, at time: Int64) -> ReportingMode {
        modes[product]?.last { $0.from <= time }?.mode ?? .none
    }

    private func copyStore(from source: String, to target: String) throws {
        let files = FileManager.default
        for suffix in ["", "-wal", "-shm"] {
            try? files.removeItem(atPath: target + suffix)
            if files.fileExists(atPath: source + suffix) { try files.copyItem(atPath: source + suffix, toPath: target + suffix) }
        }
    }

    /// Pending usage at the end must have a reason `GET /v1/customers/{id}/usage` shows (carried, or refused).
    var statusProblems: [String] = []

    private func checkStatus(_ driver: RuntimeDriver) async throws {
        let usage = try await driver.customerUsage(story.customer)
        for metric in usage.metrics where metric.pending > 0 {
            statusProblems.append("\(metric.metric): \(metric.pending) pending at the end (failed \(metric.failed), carried \(metric.carried))")
        }
        let counts = try await driver.database.reportCounts()
        log("reports at the end: \(counts.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
    }
}
