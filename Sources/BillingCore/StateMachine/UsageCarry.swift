/// Usage still pending in `from` moves to `to` (docs/billing-rules.md: nothing is dropped; usage that cannot
/// go where it belongs is carried into the current period).
public struct UsageCarry: Sendable, Hashable {
    public var from: ItemPeriod
    public var to: ItemPeriod

    public init(from: ItemPeriod, to: ItemPeriod) {
        self.from = from
        self.to = to
    }
}
