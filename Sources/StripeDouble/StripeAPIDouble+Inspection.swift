import BillingCore
import Synchronization

extension StripeAPIDouble {
    /// Every request received, in arrival order; only those to `endpoint` when given.
    public func requests(to endpoint: StripeEndpoint? = nil) -> [RecordedRequest] {
        core.state.withLock { state in state.requests.filter { endpoint == nil || $0.endpoint == endpoint } }
    }

    /// How many requests reached `endpoint` (replays, faults and rejections included).
    public func callCount(_ endpoint: StripeEndpoint) -> Int {
        core.state.withLock { state in state.requests.count { $0.endpoint == endpoint } }
    }

    /// What Stripe bills the item for `period` (its current period when nil), honouring the
    /// price's `aggregate_usage` and increment/set semantics. Nil for an unknown item.
    public func billedUsage(item: String, period: BillingPeriod? = nil) -> Int64? {
        core.state.withLock { state in
            guard let entry = state.items[item] else { return nil }
            // A deleted item's usage is never billed.
            return entry.deleted ? 0 : entry.billed(in: period ?? entry.seed.currentPeriod)
        }
    }

    /// The item's current period.
    public func currentPeriod(item: String) -> BillingPeriod? {
        core.state.withLock { $0.items[item]?.seed.currentPeriod }
    }

    /// What Stripe bills on a meter (by id or event name) for `customer` over `[from, to)` by
    /// event timestamp, after cancellations; nil for an unknown meter.
    public func meterTotal(_ meter: String, customer: String, from: Int64, to: Int64) -> Int64? {
        core.state.withLock { state in
            guard let seed = state.meters.meter(idOrEventName: meter) else { return nil }
            return state.meters.total(meter: seed, customer: customer, from: from, to: to)
        }
    }

    /// Every meter event received and stored, cancelled ones included.
    public func meterEvents() -> [MeterEventRecord] {
        core.state.withLock { $0.meters.events }
    }

    /// Events Stripe accepted but would not bill, with the reason its error reports would give.
    public func meterErrorReports() -> [MeterEventErrorReport] {
        core.state.withLock { $0.meters.errorReports }
    }

    /// Waits until at least `count` requests (to `endpoint`, when given) are in the log, for
    /// answers a client gave up on (a slow fault behind a client timeout). Polls; never a sleep
    /// for synchronisation in the caller.
    public func waitForRequests(count: Int, to endpoint: StripeEndpoint? = nil, timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while requests(to: endpoint).count < count {
            guard clock.now < deadline else { throw StripeDoubleError.timedOut(waitingFor: "\(count) requests") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
