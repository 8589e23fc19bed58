import BillingCore
import BillingStore
import Logging
import StripeAPI
import Synchronization

/// Asks Stripe for a customer's subscriptions when usage of a product none of its known subscriptions carries has
/// waited out the subscription grace, before that usage goes out as customer-level meter events (which no legacy
/// price bills, and which skip an item whose webhook was lost).
///
/// Each subscription found is stored in the inbox as a `customer.subscription.updated` event of meterbridge's own
/// (`evt_mb_lookup_…`, created at the lookup) and applied through the workflow at once, as if its webhook had
/// arrived: a rebuild replays it like any other, and the webhooks Stripe still delivers merge as older snapshots.
public final class SubscriptionLookup: Sendable {
    /// How long a lookup that found nothing new stands before the same customer is asked about again.
    static let recheckAfter: Duration = .seconds(3600)

    let client: any StripeUsageClient
    let inbox: any InboxStore
    let state: any BillingStateStore
    let machine: BillingMachineConfiguration
    let clock: any UnixClock
    let logger: Logger
    private let askedAt = Mutex<[String: UnixTime]>([:])

    public init(
        client: any StripeUsageClient, inbox: any InboxStore, state: any BillingStateStore, machine: BillingMachineConfiguration,
        clock: any UnixClock, logger: Logger
    ) {
        self.client = client
        self.inbox = inbox
        self.state = state
        self.machine = machine
        self.clock = clock
        self.logger = logger
    }

    /// Takes the customer's subscriptions into the state; returns how many it applied (0 when it asked recently).
    public func takeIn(customer: String) async throws -> Int {
        let now = clock.now
        let due = askedAt.withLock { asked in
            asked = asked.filter { now - $0.value < Self.recheckAfter }
            guard asked[customer] == nil else { return false }
            asked[customer] = now
            return true
        }
        guard due else { return 0 }
        let objects = try await client.subscriptions(customer: customer)
        var applied = 0
        for object in objects {
            guard let event = Self.event(for: object, at: now) else { continue }
            _ = try await inbox.store(event)
            guard let stored = try await inbox.event(id: event.id), stored.status == .pending, let subscriptionID = event.subscriptionID else { continue }
            do {
                let output = try await state.runWorkflow([WorkflowInput(stored)], subscriptionID: subscriptionID, configuration: machine, now: now)
                if output.failures.isEmpty { applied += 1 }
            } catch is BillingStateConflict {
                // Changed meanwhile (its webhook, another instance): the processor applies the stored event in turn.
                continue
            }
        }
        logger.info("Looked up the subscriptions of a customer with unrouted usage", metadata: [
            "stripe.customer.id": "\(customer)", "subscriptions.found": "\(objects.count)", "subscriptions.applied": "\(applied)",
        ])
        return applied
    }

    /// Lets the next round ask about `customer` again (its lookup failed).
    public func forget(customer: String) {
        askedAt.withLock { _ = $0.removeValue(forKey: customer) }
    }

    /// The event meterbridge stores for a subscription object Stripe returned; nil without an id or customer.
    static func event(for object: JSONValue, at now: UnixTime) -> ReceivedEvent? {
        guard let id = object["id"]?.stringValue, let customer = object["customer"]?.stringValue else { return nil }
        let eventID = "evt_mb_lookup_\(id)_\(now.seconds)"
        let envelope = JSONValue.object([
            "id": .string(eventID), "object": .string("event"), "type": .string(EventType.subscriptionUpdated),
            "created": .int(now.seconds), "livemode": object["livemode"] ?? .bool(false), "data": .object(["object": object]),
        ])
        return ReceivedEvent(
            id: eventID, type: EventType.subscriptionUpdated, created: now.seconds, livemode: object["livemode"]?.boolValue ?? false,
            objectType: "subscription", objectID: id, subscriptionID: id, customerID: customer, payload: envelope.serializedBytes,
            signature: "", receivedAt: now.milliseconds
        )
    }
}
