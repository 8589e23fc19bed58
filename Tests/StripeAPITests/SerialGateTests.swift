import StripeAPI
import StripeDouble
import Synchronization
import Testing

/// One call at a time per (customer, meter): the gate alone, then the client against the double.
struct SerialGateTests {
    typealias F = StripeAPIFixture

    @Test func waitersGetTheKeyInArrivalOrderAndOtherKeysAreFree() async throws {
        let gate = SerialGate<String>()
        #expect(try await gate.acquire("a") == false)
        let order = OrderLog()
        let second = Task {
            try await gate.acquire("a")
            order.append("second")
            gate.release("a")
        }
        try await waitUntil("the second waiter to queue") { gate.waiting(for: "a") == 1 }
        let third = Task {
            try await gate.acquire("a")
            order.append("third")
            gate.release("a")
        }
        try await waitUntil("the third waiter to queue") { gate.waiting(for: "a") == 2 }
        // Another key is not held up.
        #expect(try await gate.acquire("b") == false)
        gate.release("b")
        #expect(order.entries.isEmpty)
        gate.release("a")
        try await second.value
        try await third.value
        #expect(order.entries == ["second", "third"])
        #expect(gate.waiting(for: "a") == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueueAndTheKeyStaysUsable() async throws {
        let gate = SerialGate<String>()
        try await gate.acquire("k")
        let waiter = Task { try await gate.acquire("k") }
        try await waitUntil("the waiter to queue") { gate.waiting(for: "k") == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        #expect(gate.waiting(for: "k") == 0)
        gate.release("k")
        #expect(try await gate.acquire("k") == false)
        gate.release("k")
    }

    /// A meter event held by a slow answer blocks the next one for the same customer and meter (it
    /// queues in the client and never reaches the double), while another customer's event goes through.
    @Test func meterEventsOfOneCustomerAndMeterGoOneAtATime() async throws {
        try await F.run { f in
            f.stripe.inject(.slow(.seconds(600)), on: .createMeterEvent)
            let first = Task {
                try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 1, timestamp: F.now, identifier: "one-a")
            }
            // The first event is now inside the double, held by the slow fault.
            try await f.stripe.waitUntilFaultsConsumed(on: .createMeterEvent)
            let second = Task {
                try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 2, timestamp: F.now, identifier: "one-b")
            }
            let other = Task {
                try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_2", value: 5, timestamp: F.now, identifier: "two-a")
            }
            try await waitUntil("the second event to queue behind the first") { f.observer.queued == [.createMeterEvent] }
            #expect(try await other.value.alreadyDelivered == false)
            // While the first is held: only the other customer's event has reached Stripe.
            #expect(f.stripe.requests(to: .createMeterEvent).map { $0.parameter("identifier") } == ["two-a"])

            f.stripe.releaseSlowRequests()
            _ = try await first.value
            _ = try await second.value
            let log = f.stripe.requests(to: .createMeterEvent)
            // The log is written as each answer leaves: the second was sent only after the first was answered.
            #expect(log.map { $0.parameter("identifier") } == ["two-a", "one-a", "one-b"])
            #expect(log.map(\.fault) == [nil, .slow(.seconds(600)), nil])
            #expect(f.aprilMeterTotal(customer: "cus_1") == 3)
            #expect(f.aprilMeterTotal(customer: "cus_2") == 5)
        }
    }

    @Test func differentMetersOfOneCustomerAreNotSerialised() async throws {
        try await F.run { f in
            f.stripe.inject(.slow(.seconds(600)), on: .createMeterEvent)
            let held = Task {
                try await f.client.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 1, timestamp: F.now, identifier: "m-a")
            }
            try await f.stripe.waitUntilFaultsConsumed(on: .createMeterEvent)
            let seats = try await f.client.createMeterEvent(eventName: "seats", customer: "cus_1", value: 4, timestamp: F.now, identifier: "m-b")
            #expect(!seats.alreadyDelivered)
            #expect(f.observer.queued.isEmpty)
            f.stripe.releaseSlowRequests()
            _ = try await held.value
        }
    }
}

/// Appends from several tasks.
final class OrderLog: Sendable {
    private let value = Mutex<[String]>([])

    var entries: [String] { value.withLock { $0 } }

    func append(_ entry: String) {
        value.withLock { $0.append(entry) }
    }
}
