/// Tunables of the billing state machine.
///
/// | Key | Config key / env | Type | Default |
/// |---|---|---|---|
/// | `boundaryLead` | `flush.boundary_lead` / `MB_BOUNDARY_LEAD` | seconds | 300 |
/// | `finalFlushMargin` | — ("just before" the boundary) | seconds | 10 |
/// | `shadowMeter` | `migration.shadow_meter` / `MB_SHADOW_METER` | bool | true |
/// | `midcycleRereport` | `migration.midcycle_rereport` / `MB_MIDCYCLE_REREPORT` | bool | true |
/// | `retainedInvoices` | — (history kept per subscription) | count | 6 |
public struct BillingMachineConfiguration: Sendable, Equatable {
    /// Seconds before a predictable boundary at which the pre-boundary flush runs.
    public var boundaryLead: Int64
    /// Seconds before a predictable boundary at which the final flush runs.
    public var finalFlushMargin: Int64
    /// Send shadow meter events while a legacy → meter migration is planned.
    public var shadowMeter: Bool
    /// Re-report period-to-date usage when a price changes mid-cycle.
    public var midcycleRereport: Bool
    /// Finalized renewal invoices whose periods stay in the state; older history is pruned, and
    /// events older than it are ignored (Stripe stops retrying after 3 days, so none arrive that late).
    public var retainedInvoices: Int

    public init(
        boundaryLead: Int64 = 300,
        finalFlushMargin: Int64 = 10,
        shadowMeter: Bool = true,
        midcycleRereport: Bool = true,
        retainedInvoices: Int = 6
    ) {
        precondition(finalFlushMargin >= 0 && boundaryLead > finalFlushMargin, "Invalid configuration: need boundaryLead > finalFlushMargin >= 0")
        precondition(retainedInvoices >= 1, "Invalid configuration: retainedInvoices must be at least 1")
        self.boundaryLead = boundaryLead
        self.finalFlushMargin = finalFlushMargin
        self.shadowMeter = shadowMeter
        self.midcycleRereport = midcycleRereport
        self.retainedInvoices = retainedInvoices
    }

    /// Every setting at its default.
    public static let `default` = BillingMachineConfiguration()
}
