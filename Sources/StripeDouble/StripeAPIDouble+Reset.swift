import Synchronization

extension StripeAPIDouble {
    /// Forgets every customer, item, meter, subscription, usage, key, fault and request, as a fresh account would have:
    /// a simulator reuses one running double for many stories.
    public func reset() {
        core.state.withLock { $0 = DoubleState() }
    }
}
