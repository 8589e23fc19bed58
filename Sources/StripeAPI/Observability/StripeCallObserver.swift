/// What the client reports as it works, for metrics: each HTTP attempt's outcome, retries, waits for a
/// rate-limit token and waits behind another call for the same customer and meter. Called inline on the
/// calling task: implementations must be quick and must not block. Every method has an empty default.
public protocol StripeCallObserver: Sendable {
    /// One HTTP attempt ended. `status` is the HTTP status, nil when no answer came (`error` says why).
    func attemptFinished(_ operation: StripeOperation, status: Int?, error: StripeCallError?, duration: Duration)
    /// An attempt failed with a retryable error and the call will try again after `delay`.
    func retryScheduled(_ operation: StripeOperation, afterAttempt attempt: Int, error: StripeCallError, delay: Duration)
    /// The call waited `duration` for a rate-limit token.
    func rateLimitWaited(_ operation: StripeOperation, duration: Duration)
    /// The call queued behind another call for the same customer and meter (Stripe allows one at a time).
    func queuedBehindConcurrentCall(_ operation: StripeOperation)
}

extension StripeCallObserver {
    public func attemptFinished(_ operation: StripeOperation, status: Int?, error: StripeCallError?, duration: Duration) {}
    public func retryScheduled(_ operation: StripeOperation, afterAttempt attempt: Int, error: StripeCallError, delay: Duration) {}
    public func rateLimitWaited(_ operation: StripeOperation, duration: Duration) {}
    public func queuedBehindConcurrentCall(_ operation: StripeOperation) {}
}

/// Observes nothing.
public struct NoStripeCallObserver: StripeCallObserver {
    public init() {}
}

extension StripeCallObserver where Self == NoStripeCallObserver {
    /// Observes nothing.
    public static var none: NoStripeCallObserver { NoStripeCallObserver() }
}
