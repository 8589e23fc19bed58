import AsyncHTTPClient
import BillingCore
import Foundation
import MeterBridge
import MeterBridgeTesting
import NIOCore
import NIOHTTP1
import StripeDouble
import StripeEventBuilders
import Synchronization
import TestPrimitives
import Testing

/// Two `serve` processes on one PostgreSQL, as behind a load balancer: events and usage land on either, one instance
/// is killed mid-way, and the survivor ends with what a single instance would have, with every unit billed once.
@Suite(.serialized, .enabled(if: TestPostgres.isTested, "needs PostgreSQL: MB_TEST_POSTGRES_URL (make test starts one)"))
struct SharedPostgresTests {
    static let secret = "whsec_shared_postgres"
    static let token = "admin-token-shared-postgres"
    static let apiKey = "sk_test_shared_postgres"
    static let subscriptions = 24
    static let usagePerCustomer = 30

    @Test func twoInstancesShareTheWorkAndOneCrashLosesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let now = Int64(Date().timeIntervalSince1970)
        let world = SharedWorld(subscriptions: Self.subscriptions, start: now - 86_400)
        // Slow answers make the kill land while reports are in flight.
        let stripe = StripeAPIDouble(configuration: .init(apiKeys: [Self.apiKey]))
        for story in world.stories {
            stripe.addSubscriptionItem(.legacyMetered(id: story.item, subscription: story.id, customer: story.customer, currentPeriod: world.period))
        }
        // The schedule plans the move to the meter, so the legacy period also sends shadow meter events.
        stripe.addMeter(MeterSeed(id: "mtr_api", eventName: "api_requests", aggregation: .sum))
        stripe.setRandomFaults(RandomFaults(seed: 7, rates: [.init(.slow(.milliseconds(100)), probability: 0.3)]), on: .createUsageRecord)
        let stripeBase = try await stripe.start()
        do {
            try await TestPostgres.withFreshDatabase { url in
                try await Self.run(world: world, stripe: stripe, stripeBase: stripeBase, databaseURL: url, directory: directory, now: now)
            }
        } catch {
            await stripe.stop()
            throw error
        }
        await stripe.stop()
    }

    static func run(world: SharedWorld, stripe: StripeAPIDouble, stripeBase: URL, databaseURL: String, directory: TemporaryDirectory, now: Int64) async throws {
        let binary = try ServerProcess.builtBinary()
        let config = try RealServer.writeCatalogue(in: directory)
        func start(_ name: String, database: String, reporting: Bool) async throws -> ServerProcess {
            let port = try ServerProcess.freePort()
            var environment = RealServer.environment(port: port, databasePath: "", secret: secret)
            environment["MB_DATABASE_URL"] = database
            environment["MB_CONFIG"] = config
            environment["MB_ADMIN_TOKEN"] = token
            environment["MB_LOG_LEVEL"] = "info"
            if reporting {
                environment["STRIPE_API_KEY"] = apiKey
                environment["MB_STRIPE_API_BASE"] = stripeBase.absoluteString
                environment["MB_FLUSH_INTERVAL"] = "1"
            }
            let server = try ServerProcess(binary: binary, port: port, environment: environment, logFile: "\(directory.path)/serve-\(name).log")
            try await server.waitUntilServing(timeout: .seconds(60))
            return server
        }
        let first = try await start("a", database: databaseURL, reporting: true)
        let second = try await start("b", database: databaseURL, reporting: true)
        let instances = [first, second]

        // Subscriptions exist before their customers' usage comes: the `created` events first, processed. Then every
        // other event and every usage record, once or twice each, to a random instance, all shuffled together, and the
        // second instance killed half-way through.
        var generator = SeededRandom(seed: 42)
        let (opening, traffic) = world.operations(usagePerCustomer: usagePerCustomer, timestamp: now - 60, using: &generator)
        let acknowledged = Acknowledgements()
        try await send(opening, to: instances, killingSecondAt: nil, acknowledged: acknowledged)
        let opened = ContinuousClock.now + .seconds(30)
        while try !events(binary, databaseURL, statuses: ["pending", "failed"]).isEmpty, ContinuousClock.now < opened {
            try await Task.sleep(for: .milliseconds(200))
        }
        try await send(traffic, to: instances, killingSecondAt: traffic.count / 2, acknowledged: acknowledged)
        #expect(!second.isRunning)

        // The survivor finishes everything, taking over the dead instance's leases once they lapse (30 s).
        let recorded = acknowledged.quantities
        let deadline = ContinuousClock.now + .seconds(150)
        func settled() throws -> Bool {
            let waiting = try events(binary, databaseURL, statuses: ["pending", "failed"])
            return waiting.isEmpty && world.stories.allSatisfy { stripe.billedUsage(item: $0.item, period: world.period) == recorded[$0.customer] ?? 0 }
        }
        while try !settled(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(500)) }
        try await Task.sleep(for: .seconds(2))  // had anything been sent twice, it would show by now

        // Every acknowledged event stored once, and processed.
        let stored = try events(binary, databaseURL, statuses: [])
        #expect(stored.count == Set(stored.map(\.id)).count, "an event is stored twice")
        #expect(Set(stored.map(\.id)) == acknowledged.eventIDs)
        #expect(stored.allSatisfy { $0.status == "processed" }, "\(stored.filter { $0.status != "processed" })")
        #expect(acknowledged.eventIDs.count == world.stories.count * 4)

        // Every acknowledged unit billed once.
        for story in world.stories {
            #expect(recorded[story.customer, default: 0] > 0)
            let billed = stripe.billedUsage(item: story.item, period: world.period)
            if billed != recorded[story.customer] {
                let usage = try await usageView(story.customer, at: first)
                Issue.record("\(story.item): billed \(billed ?? -1), recorded \(recorded[story.customer] ?? 0); meterbridge says \(usage)\n\(first.log)")
            }
        }

        // The final state of each subscription is what one instance makes of the same events.
        let reference = try await start("single", database: "sqlite:\(directory.path)/single.sqlite", reporting: false)
        for payload in world.uniqueEvents {
            #expect(try await RealServer.deliver(payload, secret: secret, to: "http://127.0.0.1:\(reference.port)").status == 200)
        }
        for story in world.stories {
            let single = try await RealServerBillingTests.waitFor(base: "http://127.0.0.1:\(reference.port)", subscription: story.id, token: token) { view in
                view.cancelAtPeriodEnd == false && !view.plannedTransitions.isEmpty
            }
            let shared = try await RealServerBillingTests.waitFor(base: "http://127.0.0.1:\(first.port)", subscription: story.id, token: token) { _ in true }
            #expect(shared.comparable == single.comparable, "\(story.id)")
        }
        #expect(reference.terminate() == 0)
        #expect(first.terminate() == 0, "\(first.log)")
    }

    /// Sends `operations` from 8 concurrent senders; kills the second instance when the one at `killAt` is taken.
    /// After the kill the load balancer sends everything to the survivor, and a request the dead one never answered is
    /// retried there, as Stripe and a usage client retry.
    static func send(_ operations: [SharedOperation], to instances: [ServerProcess], killingSecondAt killAt: Int?, acknowledged: Acknowledgements) async throws {
        let (first, second) = (instances[0], instances[1])
        let cursor = SendCursor(count: operations.count, killAt: killAt)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let (index, killNow) = cursor.next() {
                        if killNow { second.kill() }
                        let operation = operations[index]
                        var target = instances[operation.instance]
                        if target === second, !second.isRunning { target = first }
                        if try await deliver(operation, to: target, acknowledged: acknowledged) { continue }
                        guard try await deliver(operation, to: first, acknowledged: acknowledged) else {
                            throw ServerProcessError(message: "the surviving instance refused \(operation):\n\(first.log)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Sends one operation; true when the instance acknowledged it (then it must be stored, processed and billed).
    static func deliver(_ operation: SharedOperation, to server: ServerProcess, acknowledged: Acknowledgements) async throws -> Bool {
        let base = "http://127.0.0.1:\(server.port)"
        switch operation.kind {
        case .event(let id, let payload):
            guard let answer = try? await RealServer.deliver(payload, secret: secret, to: base) else { return false }
            if answer.status == 200 { acknowledged.event(id) }
            return answer.status == 200
        case .usage(let id, let customer, let quantity, let timestamp):
            var request = HTTPClientRequest(url: "\(base)/v1/usage")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"customer":"\#(customer)","metric":"api_requests","quantity":\#(quantity),"timestamp":\#(timestamp),"id":"\#(id)"}"#))
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)) else { return false }
            _ = try? await response.body.collect(upTo: 1 << 16)
            if response.status == .accepted { acknowledged.usage(id, customer: customer, quantity: quantity) }
            return response.status == .accepted
        }
    }

    /// `GET /v1/customers/{id}/usage` of an instance, as text (for failure messages).
    static func usageView(_ customer: String, at server: ServerProcess) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/v1/customers/\(customer)/usage")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// The stored events, read with `meterbridge events --json` (the operator's view of the shared store).
    static func events(_ binary: String, _ databaseURL: String, statuses: [String]) throws -> [StoredEventRow] {
        let arguments = ["events", "--json", "--limit", "1000000", "--database-url", databaseURL] + statuses.flatMap { ["--status", $0] }
        let run = try CommandRun.run(binary, arguments)
        guard run.status == 0 else { throw ServerProcessError(message: "meterbridge events failed: \(run.errors)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([StoredEventRow].self, from: Data(run.output.utf8))
    }
}

/// One line of `meterbridge events --json`.
struct StoredEventRow: Decodable, Equatable {
    var id: String
    var status: String
}

/// Subscriptions with their own customers and legacy metered items, in the current period of the wall clock.
struct SharedWorld {
    struct Story {
        var id: String
        var customer: String
        var item: String
    }

    let stories: [Story]
    let period: BillingPeriod
    let legacy = TestPrice.legacy("price_legacy", product: "prod_api")
    let meter = TestPrice.meter("price_meter", product: "prod_api", meter: "mtr_api")

    init(subscriptions: Int, start: Int64) {
        stories = (1...subscriptions).map { Story(id: "sub_shared_\($0)", customer: "cus_shared_\($0)", item: "si_shared_\($0)") }
        period = BillingPeriod(start: start, end: start + 30 * 86_400)
    }

    func subscription(_ story: Story, cancelAtPeriodEnd: Bool = false) -> TestSubscription {
        TestSubscription(
            id: story.id, customer: story.customer, items: [TestItem(id: story.item, price: legacy, period: period)],
            cancelAtPeriodEnd: cancelAtPeriodEnd, schedule: "sub_sched_\(story.id)"
        )
    }

    /// A subscription's four events, in Stripe's order: created, a schedule that moves it to the meter at renewal,
    /// cancelled at period end, and the cancellation withdrawn.
    func events(_ story: Story) -> [(id: String, payload: [UInt8])] {
        let start = period.start
        let plain = subscription(story)
        let cancelling = subscription(story, cancelAtPeriodEnd: true)
        let documents: [JSONValue] = [
            TestEvents.subscription("customer.subscription.created", id: "evt_\(story.id)_created", created: start, plain, shape: .basil),
            TestEvents.schedule(
                "subscription_schedule.updated", id: "evt_\(story.id)_schedule", created: start + 3600, scheduleID: "sub_sched_\(story.id)",
                subscriptionID: story.id, status: "active",
                phases: [.init(start: start, end: period.end, prices: [legacy]), .init(start: period.end, end: nil, prices: [meter])],
                expandPrices: true, shape: .basil
            ),
            TestEvents.subscription("customer.subscription.updated", id: "evt_\(story.id)_cancel", created: start + 7200, cancelling, previous: plain, shape: .basil),
            TestEvents.subscription("customer.subscription.updated", id: "evt_\(story.id)_resume", created: start + 10_800, plain, previous: cancelling, shape: .basil),
        ]
        return documents.map { document in (document["id"]?.stringValue ?? "", document.serializedBytes) }
    }

    var uniqueEvents: [[UInt8]] { stories.flatMap { events($0).map(\.payload) } }

    /// Every event and usage record, a third of them twice, each to a random instance: the `created` events (opening),
    /// then everything else shuffled together (traffic).
    func operations(
        usagePerCustomer: Int, timestamp: Int64, using generator: inout SeededRandom
    ) -> (opening: [SharedOperation], traffic: [SharedOperation]) {
        var opening: [SharedOperation] = []
        var traffic: [SharedOperation] = []
        func add(_ kind: SharedOperation.Kind, to operations: inout [SharedOperation]) {
            operations.append(SharedOperation(kind: kind, instance: Int.random(in: 0...1, using: &generator)))
            if Int.random(in: 0..<3, using: &generator) == 0 {
                operations.append(SharedOperation(kind: kind, instance: Int.random(in: 0...1, using: &generator)))
            }
        }
        for story in stories {
            let events = events(story)
            add(.event(id: events[0].id, payload: events[0].payload), to: &opening)
            for event in events.dropFirst() { add(.event(id: event.id, payload: event.payload), to: &traffic) }
            for n in 1...usagePerCustomer {
                add(.usage(id: "use_\(story.id)_\(n)", customer: story.customer, quantity: Int64(n % 7 + 1), timestamp: timestamp), to: &traffic)
            }
        }
        opening.shuffle(using: &generator)
        traffic.shuffle(using: &generator)
        return (opening, traffic)
    }
}

/// A webhook delivery or a usage record, and the instance the load balancer picked for it.
struct SharedOperation: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case event(id: String, payload: [UInt8])
        case usage(id: String, customer: String, quantity: Int64, timestamp: Int64)
    }

    var kind: Kind
    var instance: Int

    var description: String {
        switch kind {
        case .event(let id, _): return "event \(id)"
        case .usage(let id, _, _, _): return "usage \(id)"
        }
    }
}

/// Hands the senders the next operation, and tells the one that reaches `killAt` to kill the second instance.
final class SendCursor: Sendable {
    private let state = Mutex<Int>(0)
    private let count: Int
    private let killAt: Int?

    init(count: Int, killAt: Int?) {
        self.count = count
        self.killAt = killAt
    }

    /// The next operation's index, and whether to kill the second instance first; nil when all are taken.
    func next() -> (index: Int, killNow: Bool)? {
        state.withLock { next in
            guard next < count else { return nil }
            defer { next += 1 }
            return (next, next == killAt)
        }
    }
}

/// What the instances acknowledged, from the concurrent senders.
final class Acknowledgements: Sendable {
    private let state = Mutex<(events: Set<String>, usage: [String: (customer: String, quantity: Int64)])>(([], [:]))

    func event(_ id: String) {
        state.withLock { _ = $0.events.insert(id) }
    }

    func usage(_ id: String, customer: String, quantity: Int64) {
        state.withLock { $0.usage[id] = (customer, quantity) }
    }

    var eventIDs: Set<String> { state.withLock { $0.events } }

    /// Acknowledged usage per customer, each record id once.
    var quantities: [String: Int64] {
        state.withLock { state in state.usage.values.reduce(into: [:]) { $0[$1.customer, default: 0] += $1.quantity } }
    }
}

extension SubscriptionView {
    /// The view without the time of the last write, which differs between any two runs.
    var comparable: SubscriptionView {
        var view = self
        view.updatedAt = 0
        return view
    }
}
