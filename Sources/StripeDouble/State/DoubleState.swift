import BillingCore

/// Everything the double knows, mutated only under its mutex: seeded objects, usage as Stripe
/// would bill it, idempotency results, fault plans and the request log.
struct DoubleState: Sendable {
    var customers: Set<String> = []
    var items: [String: LegacyItemState] = [:]
    var meters = MeterLedger()
    var book = SubscriptionBook()
    var idempotency = IdempotencyStore()
    var faults: [StripeEndpoint: FaultPlan] = [:]
    var requests: [RecordedRequest] = []
    /// Bumped by `releaseSlowRequests()`: slow faults that started under an older value end at once.
    var slowReleases = 0
    private var counter = 0

    /// A new id with Stripe's prefix for the object type (`mbur_`, `req_`, `in_`).
    mutating func makeID(_ prefix: String) -> String {
        counter += 1
        let digits = String(counter)
        return "\(prefix)_double\(String(repeating: "0", count: max(0, 8 - digits.count)))\(digits)"
    }

    /// The next value of a counter shared by every write, to order them.
    mutating func nextSequence() -> Int {
        counter += 1
        return counter
    }

    mutating func nextFault(for endpoint: StripeEndpoint) -> InjectedFault? {
        faults[endpoint]?.next()
    }

    /// The item when it exists and was not deleted.
    func liveItem(_ id: String) -> LegacyItemState? {
        guard let item = items[id], !item.deleted else { return nil }
        return item
    }
}
