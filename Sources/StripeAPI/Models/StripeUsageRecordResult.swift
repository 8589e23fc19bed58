import BillingCore

/// A usage record Stripe accepted (`object: "usage_record"`).
public struct StripeUsageRecordResult: Sendable, Equatable {
    /// Stripe's id (`mbur_…`).
    public var id: String
    public var subscriptionItem: String
    public var quantity: Int64
    /// Unix seconds the usage was recorded at.
    public var timestamp: Int64
    public var action: UsageRecordAction
    /// The `Request-Id` of the answer.
    public var requestID: String?
    /// Whether Stripe answered from its idempotency store (`Idempotent-Replayed: true`): an earlier
    /// attempt with the same key had already been applied.
    public var replayed: Bool
    /// HTTP attempts the call took.
    public var attempts: Int

    public init(
        id: String, subscriptionItem: String, quantity: Int64, timestamp: Int64, action: UsageRecordAction,
        requestID: String? = nil, replayed: Bool = false, attempts: Int = 1
    ) {
        self.id = id
        self.subscriptionItem = subscriptionItem
        self.quantity = quantity
        self.timestamp = timestamp
        self.action = action
        self.requestID = requestID
        self.replayed = replayed
        self.attempts = attempts
    }
}
