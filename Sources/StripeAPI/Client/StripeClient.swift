import AsyncHTTPClient
import BillingCore
import Logging
import Synchronization
import SystemClock

/// The Stripe API client for usage reporting: usage records, meter events, their cancellation and
/// summaries, over one shared `HTTPClient`.
///
/// - Every call of one client shares one rate limiter (one account): `rateLimit` calls per second.
/// - Meter events of one (customer, event name) go one at a time, as Stripe requires.
/// - Retryable failures are retried inside the call with backoff and jitter, with the same idempotency
///   key or identifier on every attempt; then the last error is thrown for the caller to keep.
///
/// The client never creates, owns or shuts down the `HTTPClient`: the composition root makes one for
/// the process (or passes `HTTPClient.shared`), hands it to every client, and shuts it down after the
/// services that use the clients have stopped.
///
/// ```swift
/// let stripe = StripeClient(configuration: .init(apiKey: key, rateLimit: 80), httpClient: httpClient, logger: logger,
///                           observer: StripeMetricsObserver(factory: metricsFactory))
/// let result = try await stripe.createMeterEvent(eventName: "api_requests", customer: "cus_1", value: 42,
///                                                timestamp: 1_712_707_200, identifier: row.identifier)
/// ```
public final class StripeClient: StripeUsageClient {
    let configuration: Configuration
    let httpClient: HTTPClient
    let logger: Logger
    let observer: any StripeCallObserver
    let clock: any UnixClock
    /// Shared by every call of this client (or of every client given the same limiter).
    public let rateLimiter: StripeRateLimiter
    /// One meter-event call at a time per (customer, event name).
    let meterGate = SerialGate<MeterGateKey>()
    /// Jitter for the retry backoff; a `Mutex` because calls draw from it concurrently.
    private let random: Mutex<any RandomNumberGenerator & Sendable>

    /// - Parameters:
    ///   - httpClient: shared by the whole process; the caller keeps ownership and shuts it down.
    ///   - logger: base logger; calls add `stripe.*` metadata and log normal flow at debug.
    ///   - observer: metrics hook (``StripeMetricsObserver`` for swift-metrics).
    ///   - clock: time of the rate limiter and of the retry backoff.
    ///   - rateLimiter: pass one to share it between several clients of the same account; by default
    ///     each client gets its own from `configuration.rateLimit`.
    ///   - random: the source of backoff jitter; a seeded one makes delays reproducible in tests.
    public init(
        configuration: Configuration,
        httpClient: HTTPClient,
        logger: Logger,
        observer: any StripeCallObserver = NoStripeCallObserver(),
        clock: any UnixClock = .system,
        rateLimiter: StripeRateLimiter? = nil,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.observer = observer
        self.clock = clock
        self.rateLimiter = rateLimiter ?? StripeRateLimiter(rate: max(1, configuration.rateLimit), burst: configuration.burst, clock: clock)
        self.random = Mutex(random)
    }

    /// A number in 0..<1 for the backoff jitter.
    func nextJitter() -> Double {
        random.withLock { generator in Double.random(in: 0..<1, using: &generator) }
    }
}

/// The gate key of meter events: Stripe allows one concurrent call per customer per meter.
struct MeterGateKey: Hashable, Sendable {
    var customer: String
    var eventName: String
}
