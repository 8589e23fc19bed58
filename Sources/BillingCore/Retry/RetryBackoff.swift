/// How long to wait before retrying: exponential, capped, optionally with jitter.
///
/// With the defaults (base 1 s, cap 15 min), attempt by attempt:
///
/// | attempt | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 10 | 11+ |
/// |---|---|---|---|---|---|---|---|---|---|---|
/// | delay | 1 s | 2 s | 4 s | 8 s | 16 s | 32 s | 64 s | 128 s | 512 s | 900 s |
///
/// With `jitter` (a number in 0..<1 from the caller, so this stays pure), the delay is drawn from
/// [delay/2, delay): retries of many clients spread out instead of arriving together ("full jitter" halved).
public enum RetryBackoff {
    /// The wait after failed attempt number `attempt` (1-based), in whole milliseconds.
    public static func delay(
        afterAttempt attempt: Int, base: Duration = .seconds(1), cap: Duration = .seconds(900), jitter: Double? = nil
    ) -> Duration {
        // Whole milliseconds, so a doubling never overflows silently and jittered delays stay exact.
        let (baseMs, capMs) = (max(0, base.wholeMilliseconds), max(0, cap.wholeMilliseconds))
        let exponent = min(max(attempt - 1, 0), 40)
        let uncapped = baseMs.multipliedReportingOverflow(by: Int64(1) << exponent)
        let delay = uncapped.overflow ? capMs : min(uncapped.partialValue, capMs)
        guard let jitter else { return .milliseconds(delay) }
        let fraction = min(max(jitter, 0), 0.999_999)
        return .milliseconds(delay / 2 + Int64(Double(delay / 2) * fraction))
    }
}
