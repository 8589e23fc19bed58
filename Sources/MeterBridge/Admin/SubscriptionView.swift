import BillingCore
import BillingStore

/// `GET /v1/subscriptions/{id}` and `meterbridge status --json`: the local truth about one subscription.
public struct SubscriptionView: Codable, Sendable, Equatable {
    public var id: String
    public var customer: String?
    public var status: String?
    /// `classic` or `flexible` (`billing_mode.type`; classic when Stripe never stated one): in flexible mode Stripe
    /// invoices the usage before a mid-cycle price change itself, so meterbridge does not report it again.
    public var billingMode: String
    public var cancelAtPeriodEnd: Bool
    public var cancelAt: Int64?
    public var endedAt: Int64?
    public var schedule: String?
    public var items: [Item]
    public var plannedTransitions: [Transition]
    public var timers: [Timer]
    public var shadowMeters: [Shadow]
    /// Unix milliseconds of the last change.
    public var updatedAt: Int64

    /// One subscription item: its price, reporting mode and local periods.
    public struct Item: Codable, Sendable, Equatable {
        public var id: String
        public var price: String
        public var product: String?
        public var meter: String?
        public var mode: String
        public var usageAction: String?
        public var removedAt: Int64?
        public var periods: [Period]
    }

    /// A local billing period and where it is in `open → closing → ended → invoiced → locked`.
    public struct Period: Codable, Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var state: String
        public var invoice: String?
        public var flushes: [String]
        public var carried: Bool
    }

    /// A price change a schedule plans.
    public struct Transition: Codable, Sendable, Equatable {
        public var schedule: String
        public var effectiveAt: Int64
        public var item: String?
        public var product: String?
        public var fromPrice: String?
        public var toPrice: String
        public var fromMode: String?
        public var toMode: String?
    }

    /// An armed timer.
    public struct Timer: Codable, Sendable, Equatable {
        public var id: String
        public var kind: String
        public var boundary: Int64
        public var fireAt: Int64
    }

    /// An item mirrored to a meter while its migration is planned.
    public struct Shadow: Codable, Sendable, Equatable {
        public var item: String
        public var until: Int64
    }

    init(_ state: SubscriptionState, updatedAt: Int64) {
        id = state.subscriptionID
        customer = state.customerID
        status = state.status?.rawValue
        billingMode = state.billingMode.rawValue
        cancelAtPeriodEnd = state.cancelAtPeriodEnd
        cancelAt = state.cancelAt
        endedAt = state.endedAt
        schedule = state.scheduleID
        items = state.items.map { item in
            Item(
                id: item.id, price: item.priceID, product: item.productID, meter: item.meterID, mode: item.mode.rawValue,
                usageAction: item.usageAction?.rawValue, removedAt: item.removedAt,
                periods: item.periods.map { period in
                    Period(start: period.start, end: period.end, state: period.state.rawValue, invoice: period.invoiceID,
                           flushes: period.flushed.reasons.map(\.rawValue), carried: period.carried)
                }
            )
        }
        plannedTransitions = state.plannedTransitions.map { transition in
            Transition(
                schedule: transition.scheduleID, effectiveAt: transition.effectiveAt, item: transition.itemID, product: transition.productID,
                fromPrice: transition.fromPriceID, toPrice: transition.toPriceID, fromMode: transition.fromMode?.rawValue, toMode: transition.toMode?.rawValue
            )
        }
        timers = state.timers.map { timer in
            Timer(id: timer.id(subscriptionID: state.subscriptionID).description, kind: timer.kind.rawValue, boundary: timer.boundary, fireAt: timer.fireAt)
        }
        shadowMeters = state.shadowMeters.map { Shadow(item: $0.itemID, until: $0.until) }
        self.updatedAt = updatedAt
    }

    /// The view of a stored subscription row.
    public init(record: SubscriptionRecord) throws {
        self.init(try SubscriptionStateCodec.decode(record), updatedAt: record.updatedAt.milliseconds)
    }
}
