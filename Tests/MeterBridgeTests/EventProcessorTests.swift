import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MeterBridge
import MeterBridgeTesting
import NIOCore
import StripeEventBuilders
import TestPrimitives
import Testing

/// The processor and scheduler behind the webhook endpoint: signed deliveries become local billing state.
struct EventProcessorTests {
    static let token = "admin-token-for-tests"

    @Test(arguments: APIShape.allCases)
    func aMigrationStoryBecomesPeriodsModesAndTimers(shape: APIShape) async throws {
        let story = BillingStory(shape: shape)
        try await WebhookHarness.run(configure: { $0.adminToken = Self.token }) { harness, client in
            let processor = harness.processor()
            for payload in [story.created, story.migrationPlanned] {
                #expect(try await harness.deliverSigned(payload, to: client).status == .ok)
            }
            #expect(try await processor.processDue() == 2)
            var view = try await Self.subscription(story.subscriptionID, client)
            #expect(view.items.map(\.mode) == ["legacy"])
            #expect(view.items.first?.periods.map(\.state) == ["open"])
            #expect(view.plannedTransitions.first?.toMode == "meter")
            #expect(view.plannedTransitions.first?.effectiveAt == BillingStory.secondPeriod.start)
            let boundary = BillingStory.firstPeriod.end
            #expect(Set(view.timers.map(\.fireAt)) == [boundary - 300, boundary - 10])
            #expect(view.shadowMeters.first?.until == boundary)

            // The pre-boundary timer fires: the period starts closing and a flush is queued in the outbox.
            harness.clock.set(seconds: boundary - 300)
            #expect(try await harness.scheduler().fireDue() == 1)
            view = try await Self.subscription(story.subscriptionID, client)
            #expect(view.items.first?.periods.first?.state == "closing")
            let flushes = try await harness.database.actions(subscriptionID: story.subscriptionID).filter { $0.kind == "flush" }
            #expect(flushes.count == 1)

            // The renewal, the draft invoice and its finalization, delivered out of order.
            for payload in [story.invoiceFinalized, story.renewed, story.invoiceCreated] {
                #expect(try await harness.deliverSigned(payload, to: client).status == .ok)
            }
            harness.clock.set(seconds: boundary + 4000)
            #expect(try await processor.processDue() == 3)
            view = try await Self.subscription(story.subscriptionID, client)
            #expect(view.items.first?.mode == "meter")
            #expect(view.items.first?.periods.map(\.state) == ["locked", "open"])
            #expect(view.plannedTransitions.isEmpty)
            #expect(try await harness.database.counts()[.processed] == 5)
        }
    }

    @Test func stateSurvivesARestartOnTheSameFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let story = BillingStory(shape: .basil)
        let before = try await WebhookHarness.run(directory: directory, configure: { $0.adminToken = Self.token }) { harness, client in
            for payload in [story.created, story.migrationPlanned] { _ = try await harness.deliverSigned(payload, to: client) }
            try await harness.processor().processDue()
            return try await Self.subscription(story.subscriptionID, client)
        }
        let after = try await WebhookHarness.run(directory: directory, configure: { $0.adminToken = Self.token }) { _, client in
            try await Self.subscription(story.subscriptionID, client)
        }
        #expect(after == before)
        #expect(after.items.first?.periods.first?.start == BillingStory.defaultStart)
    }

    @Test func anEventThatCannotBeDecodedFailsWithItsErrorThenGoesDead() async throws {
        try await WebhookHarness.run { harness, client in
            // A subscription whose item has no price: valid JSON, a valid envelope, not a valid subscription.
            let broken = TestEvent.json(
                id: "evt_broken", type: "customer.subscription.updated",
                object: #"{"id":"sub_broken","object":"subscription","customer":"cus_1","status":"active","items":{"object":"list","data":[{"id":"si_1","object":"subscription_item"}]}}"#
            )
            #expect(try await harness.deliverSigned(broken, to: client).status == .ok)
            var configuration = EventProcessor.Configuration()
            configuration.maxAttempts = 2
            let processor = harness.processor(configuration)
            try await processor.processDue()
            var stored = try #require(try await harness.database.event(id: "evt_broken"))
            #expect(stored.status == .failed)
            #expect(stored.lastError?.contains("evt_broken") == true)
            #expect(stored.lastError?.contains("price") == true)
            harness.clock.advance(seconds: 3600)
            try await processor.processDue()
            stored = try #require(try await harness.database.event(id: "evt_broken"))
            #expect(stored.status == .dead)
        }
    }

    @Test func eventsWithoutASubscriptionAreIgnoredAndUnknownTypesToo() async throws {
        try await WebhookHarness.run { harness, client in
            _ = try await harness.deliverSigned(TestEvent.json(id: "evt_customer", type: "customer.created", object: #"{"id":"cus_1","object":"customer"}"#), to: client)
            _ = try await harness.deliverSigned(TestEvent.json(id: "evt_charge", type: "charge.succeeded", object: #"{"id":"ch_1","object":"charge"}"#), to: client)
            try await harness.processor().processDue()
            #expect(try await harness.database.event(id: "evt_customer")?.status == .ignored)
            #expect(try await harness.database.event(id: "evt_charge")?.status == .ignored)
        }
    }

    @Test func theAdminAPINeedsItsToken() async throws {
        try await WebhookHarness.run(configure: { $0.adminToken = Self.token }) { _, client in
            let missing = try await client.execute(uri: "/v1/subscriptions/sub_x", method: .get)
            #expect(missing.status == .unauthorized)
            let wrong = try await client.execute(uri: "/v1/subscriptions/sub_x", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            let unknown = try await client.execute(uri: "/v1/subscriptions/sub_x", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(unknown.status == .notFound)
        }
        try await WebhookHarness.run { _, client in
            let off = try await client.execute(uri: "/v1/subscriptions/sub_x", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(off.status == .forbidden)
            #expect(try ErrorBody(off).error.code == "admin_api_disabled")
        }
    }

    static func subscription(_ id: String, _ client: some TestClientProtocol, token: String = EventProcessorTests.token) async throws -> SubscriptionView {
        let response = try await client.execute(uri: "/v1/subscriptions/\(id)", method: .get, headers: [.authorization: "Bearer \(token)"])
        try #require(response.status == .ok, "\(String(buffer: response.body))")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SubscriptionView.self, from: Data(response.body.readableBytesView))
    }
}
