import BillingCore
import StripeDouble
import StripeEventBuilders

/// One metric of the simulated catalogue: its product, meter and prices.
struct SimulatedMetric: Sendable, Equatable {
    var name: String
    var product: String
    var meter: String
    var eventName: String
    var last: Bool

    static let api = SimulatedMetric(name: "api_requests", product: "prod_api", meter: "mtr_api", eventName: "api_requests", last: false)
    static let seats = SimulatedMetric(name: "seats", product: "prod_seats", meter: "mtr_seats", eventName: "seats", last: true)

    /// A legacy price of this metric; `last` metrics take `last_during_period` (or `last_ever`).
    func legacy(_ tag: String, lastEver: Bool = false) -> TestPrice {
        TestPrice.legacy("price_\(product)_legacy_\(tag)", product: product, aggregateUsage: last ? (lastEver ? "last_ever" : "last_during_period") : "sum")
    }

    func meterPrice(_ tag: String) -> TestPrice {
        TestPrice.meter("price_\(product)_meter_\(tag)", product: product, meter: meter)
    }
}

/// How the webhooks of one Stripe change reach meterbridge.
enum Delivery: Sendable, Equatable {
    case now
    /// Held back and delivered at the next `deliverLate` step.
    case late
    /// Delivered in reverse order.
    case reversed
    /// Each delivered twice.
    case duplicated
}

/// A change the story makes on Stripe's side (through the double's subscription model).
enum StripeChange: Sendable, Equatable {
    case create(items: [DoubleSubscriptionItem], createInvoice: Bool)
    case renew
    case changePrice(item: String, to: TestPrice)
    case replaceItem(item: String, with: DoubleSubscriptionItem, oneUpdate: Bool)
    case planMigration(item: String, to: TestPrice)
    case cancelAtPeriodEnd
    case cancelImmediately
    case resetAnchor
    case finalizeInvoices
}

/// One usage post: `id` nil sends none.
struct UsagePost: Sendable, Equatable {
    var metric: SimulatedMetric
    var quantity: Int64
    var timestamp: Int64
    var id: String?
}

/// One step of a story, in order; times only move forward.
enum StoryStep: Sendable, Equatable {
    case clock(Int64)
    case stripe(StripeChange, Delivery)
    case deliverLate
    case usage(UsagePost)
    case flush
    case restart
    /// Kills the runtime while a flush is under way, once Stripe has received this many more calls.
    case crash(afterCalls: Int)
    case backup
    case restore
    /// The runtime is down (after a crash) while the clock moves on to this time.
    case downtime(until: Int64)
}

/// A generated story: its seed, settings, steps and the variants it exercises.
struct SimulatedStory: Sendable {
    var seed: UInt64
    var shape: APIShape
    var billingMode: DoubleBillingMode
    var customer = "cus_sim"
    var subscription = "sub_sim"
    var metrics: [SimulatedMetric]
    var faults: RandomFaults?
    var steps: [StoryStep] = []
    var variants: Set<SimulationVariant> = []
    /// Whether the story's `last` metric started on a `last_ever` legacy price (a period without a value bills the latest).
    var lastEver = false
}
