import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A loopback HTTP server that answers the Stripe API calls meterbridge makes (legacy usage
/// records, billing meter events, their adjustments and summaries) with Stripe's validation,
/// idempotency and error behaviour, counts what Stripe would bill, and fails on command.
///
/// ```swift
/// let clock = ManualClock(seconds: 1_712_000_000)   // TestPrimitives
/// let stripe = StripeAPIDouble(configuration: .init(apiKeys: ["sk_test_123"], clock: clock))
/// stripe.addSubscriptionItem(.legacyMetered(id: "si_1", subscription: "sub_1", customer: "cus_1",
///                                           currentPeriod: BillingPeriod(start: 1_711_900_000, end: 1_714_500_000)))
/// stripe.addMeter(MeterSeed(id: "mtr_1", eventName: "api_requests"))
/// stripe.inject(.rateLimited, .dropConnection(.afterApplying), on: .createMeterEvent)
/// let base = try await stripe.start()          // http://127.0.0.1:<port>
/// … point the client at `base`, report usage …
/// #expect(stripe.billedUsage(item: "si_1") == 42)
/// await stripe.stop()
/// ```
public final class StripeAPIDouble: Sendable {
    let core: DoubleCore
    private let server = Mutex<ServerState>(.idle)

    /// The server while running: its service group (for a graceful shutdown) and the task that
    /// runs it. A loose `Task` because the server must outlive `start()`; `stop()` waits for it.
    private enum ServerState: Sendable {
        case idle
        case running(ServiceGroup, Task<Void, any Error>, URL)
        case stopped
    }

    public init(configuration: Configuration) {
        self.core = DoubleCore(configuration: configuration)
    }

    /// Starts listening on 127.0.0.1 on a free port and returns the base URL (`http://127.0.0.1:PORT`).
    /// A double runs once: calling `start()` again while it runs returns the same URL.
    public func start() async throws -> URL {
        if let baseURL { return baseURL }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            responder: DoubleResponder(core: core),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: core.configuration.logger
        )
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: core.configuration.logger))
        let task = Task {
            // Ends the stream if the server fails before it is running (the port is then never yielded).
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await group.triggerGracefulShutdown()
            try await task.value
            throw StripeDoubleError.serverDidNotStart
        }
        let url = URL(string: "http://127.0.0.1:\(port)")!
        server.withLock { $0 = .running(group, task, url) }
        core.configuration.logger.info("Stripe API double listening", metadata: ["stripe.double.url": "\(url)"])
        return url
    }

    /// The base URL while running.
    public var baseURL: URL? {
        server.withLock { state in
            if case .running(_, _, let url) = state { return url }
            return nil
        }
    }

    /// Stops the server gracefully and waits until it has closed its socket. Requests held by
    /// `.slow` faults are released first, so they complete instead of holding the shutdown up.
    public func stop() async {
        let running: (ServiceGroup, Task<Void, any Error>)? = server.withLock { state in
            defer { state = .stopped }
            if case .running(let group, let task, _) = state { return (group, task) }
            return nil
        }
        guard let (group, task) = running else { return }
        releaseSlowRequests()
        await group.triggerGracefulShutdown()
        _ = await task.result
        core.configuration.logger.info("Stripe API double stopped")
    }
}

/// Failures of the double itself (not Stripe errors).
public enum StripeDoubleError: Error, Sendable, Equatable {
    case serverDidNotStart
    case unknownSubscriptionItem(String)
    case unknownSubscription(String)
    case periodDoesNotAdvance(item: String)
    case timedOut(waitingFor: String)
}
