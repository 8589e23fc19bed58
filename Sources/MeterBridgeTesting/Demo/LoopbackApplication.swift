import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Wraps the application `MeterBridgeRuntime.buildApplication()` builds, to learn the port the OS picked when it
/// listens on port 0 (HummingbirdTesting's `TestApplication` does the same for `.live` tests).
struct LoopbackApplication<Base: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Base.Responder

    let base: Base
    /// Receives the bound port once the server is running.
    let ports: AsyncStream<Int>.Continuation

    var responder: Responder {
        get async throws { try await base.responder }
    }

    var server: HTTPServerBuilder { base.server }
    var eventLoopGroup: any EventLoopGroup { base.eventLoopGroup }
    var configuration: ApplicationConfiguration { base.configuration }
    var logger: Logger { base.logger }
    var services: [any Service] { base.services }
    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { base.processesRunBeforeServerStart }

    @Sendable func onServerRunning(_ channel: any Channel) async {
        await base.onServerRunning(channel)
        ports.yield(channel.localAddress?.port ?? 0)
        ports.finish()
    }
}

/// The meterbridge HTTP server running in this process on 127.0.0.1, until `stop()`.
struct LoopbackServer: Sendable {
    let group: ServiceGroup
    /// A loose `Task` because the server must outlive `start`; `stop()` waits for it.
    let task: Task<Void, any Error>
    let port: Int

    /// Runs `application` (which must listen on port 0) and returns once it accepts connections.
    static func start(_ application: some ApplicationProtocol, logger: Logger) async throws -> LoopbackServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let wrapped = LoopbackApplication(base: application, ports: continuation)
        let group = ServiceGroup(configuration: .init(services: [wrapped], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            // Ends the stream if the server fails before it runs (the port is then never yielded).
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await group.triggerGracefulShutdown()
            try await task.value
            throw DemoError(message: "meterbridge's HTTP server did not start")
        }
        return LoopbackServer(group: group, task: task, port: port)
    }

    /// Stops accepting, lets in-flight requests finish and waits until the socket is closed.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
