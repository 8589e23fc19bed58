/// Why an invoice was created (`billing_reason`); renewals are `.subscriptionCycle`.
public enum InvoiceBillingReason: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    case automaticPendingInvoiceItemInvoice
    case manual
    case quoteAccept
    case subscription
    case subscriptionCreate
    case subscriptionCycle
    case subscriptionThreshold
    case subscriptionUpdate
    case upcoming
    /// A value this version of meterbridge does not know, kept verbatim.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "automatic_pending_invoice_item_invoice": self = .automaticPendingInvoiceItemInvoice
        case "manual": self = .manual
        case "quote_accept": self = .quoteAccept
        case "subscription": self = .subscription
        case "subscription_create": self = .subscriptionCreate
        case "subscription_cycle": self = .subscriptionCycle
        case "subscription_threshold": self = .subscriptionThreshold
        case "subscription_update": self = .subscriptionUpdate
        case "upcoming": self = .upcoming
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .automaticPendingInvoiceItemInvoice: return "automatic_pending_invoice_item_invoice"
        case .manual: return "manual"
        case .quoteAccept: return "quote_accept"
        case .subscription: return "subscription"
        case .subscriptionCreate: return "subscription_create"
        case .subscriptionCycle: return "subscription_cycle"
        case .subscriptionThreshold: return "subscription_threshold"
        case .subscriptionUpdate: return "subscription_update"
        case .upcoming: return "upcoming"
        case .unknown(let value): return value
        }
    }

    // Equal and hashed by raw value, so `.unknown("active")` built by hand is `.active`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }

    /// Whether an invoice of this reason can bill a subscription period's usage: renewals, and the invoices that end a
    /// period early (an update that resets the billing cycle anchor, a threshold with a reset, a cancellation that
    /// invoices now, and reasons newer than this list). Not manual invoices, pending invoice items or previews.
    public var mayBillSubscriptionPeriod: Bool {
        switch self {
        case .subscriptionCycle, .subscriptionUpdate, .subscriptionThreshold, .subscription, .subscriptionCreate, .quoteAccept, .unknown:
            return true
        case .manual, .automaticPendingInvoiceItemInvoice, .upcoming:
            return false
        }
    }
}
