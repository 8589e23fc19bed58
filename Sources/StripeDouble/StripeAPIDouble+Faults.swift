import Synchronization

extension StripeAPIDouble {
    /// Queues faults for the next requests to `endpoint`, one per request, in order.
    public func inject(_ faults: InjectedFault..., on endpoint: StripeEndpoint) {
        inject(faults, on: endpoint)
    }

    /// Queues faults for the next requests to `endpoint`, one per request, in order.
    public func inject(_ faults: [InjectedFault], on endpoint: StripeEndpoint) {
        core.state.withLock { $0.faults[endpoint, default: FaultPlan()].queue += faults }
    }

    /// Draws a fault at random for each request to `endpoint` once its queue is empty; nil turns it off.
    public func setRandomFaults(_ faults: RandomFaults?, on endpoint: StripeEndpoint) {
        core.state.withLock { $0.faults[endpoint, default: FaultPlan()].setRandom(faults) }
    }

    /// Faults still queued for `endpoint`.
    public func pendingFaults(on endpoint: StripeEndpoint) -> [InjectedFault] {
        core.state.withLock { $0.faults[endpoint]?.queue ?? [] }
    }
}

extension StripeAPIDouble {
    /// Waits until every fault queued for `endpoint` has been taken by a request. A request that
    /// took a fault already holds its idempotency key, so a test can then race a retry against it.
    public func waitUntilFaultsConsumed(on endpoint: StripeEndpoint, timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !pendingFaults(on: endpoint).isEmpty {
            guard clock.now < deadline else { throw StripeDoubleError.timedOut(waitingFor: "faults on \(endpoint)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

extension StripeAPIDouble {
    /// Ends the wait of every request currently held by a `.slow` fault; they complete normally.
    public func releaseSlowRequests() {
        core.state.withLock { $0.slowReleases += 1 }
    }
}
