import BillingCore

/// How one call retries inside itself: how many attempts, and how long to wait between them.
///
/// Delays come from BillingCore's ``RetryBackoff`` (exponential, capped, halved full jitter). With the
/// defaults (base 250 ms, cap 8 s, 4 attempts), before attempt:
///
/// | attempt | 2 | 3 | 4 | (5) | (6) | (7+) |
/// |---|---|---|---|---|---|---|
/// | without jitter | 250 ms | 500 ms | 1 s | 2 s | 4 s | 8 s |
/// | with jitter | 125–250 ms | 250–500 ms | 0.5–1 s | 1–2 s | 2–4 s | 4–8 s |
///
/// A `Retry-After` longer than the backoff is honoured; one longer than ``maxRetryAfter`` ends the
/// call instead, so the caller can keep the work and come back later rather than hold a worker.
public struct StripeRetryPolicy: Sendable, Equatable {
    /// Attempts per call, the first included (at least 1).
    public var maxAttempts: Int
    /// Backoff base: the delay after the first failed attempt, before jitter.
    public var baseDelay: Duration
    /// Backoff cap.
    public var maxDelay: Duration
    /// The longest `Retry-After` waited for inside a call.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 4,
        baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before the next attempt after `attempt` (1-based) failed with `error`, or nil when the
    /// call should give up: the error is not retryable, attempts are used up, or Stripe asked for a
    /// longer pause than ``maxRetryAfter``. `jitter` is a number in 0..<1 (nil: no jitter).
    public func delay(afterAttempt attempt: Int, error: StripeCallError, jitter: Double?) -> Duration? {
        guard error.shouldRetry, attempt < maxAttempts else { return nil }
        let backoff = RetryBackoff.delay(afterAttempt: attempt, base: baseDelay, cap: maxDelay, jitter: jitter)
        guard let retryAfter = error.retryAfter else { return backoff }
        guard retryAfter <= maxRetryAfter else { return nil }
        return max(backoff, retryAfter)
    }
}
