import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow to send a request's head, or its body, so slow clients cannot hold the server.
///
/// Hummingbird's idle timeout resets on every byte, so a client dribbling one byte at a time would keep
/// a connection forever; these deadlines run from the start of the wait and do not reset.
final class RequestTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let headTimeout: TimeAmount
    private let nextHeadTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    /// When the current wait ends: a connection still waiting then is closed.
    private var deadline = NIODeadline.distantFuture
    /// The connection's one timer: when it fires it checks the deadline and, if the wait has moved on, sets itself again.
    private var timer: Scheduled<Void>?
    /// How far ahead the timer is ever set: the shortest timeout. A new wait, starting later and lasting at least that
    /// long, then never ends before the timer fires, so starting one is a clock read, not a cancel and a schedule
    /// (those cost about 10 % of the event loops' CPU at 15,000 webhooks/s, BENCHMARKS.md).
    private let recheckInterval: TimeAmount

    /// - Parameters:
    ///   - headTimeout: time from connecting to a complete first request head.
    ///   - nextHeadTimeout: time from the end of a request to the next head on a kept-alive connection.
    ///   - bodyTimeout: time from a head to the end of its body.
    init(headTimeout: TimeAmount, nextHeadTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.nextHeadTimeout = nextHeadTimeout
        self.bodyTimeout = bodyTimeout
        recheckInterval = min(headTimeout, nextHeadTimeout, bodyTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(headTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            arm(bodyTimeout, context: context)
        case .body:
            break
        case .end:
            arm(nextHeadTimeout, context: context)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        deadline = .now() + timeout
        if timer == nil {
            startTimer(context: context)
        }
    }

    private func startTimer(context: ChannelHandlerContext) {
        let fires = min(deadline, .now() + recheckInterval)
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: fires) {
            loopBound.value.handler.timerFired(context: loopBound.value.context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        if NIODeadline.now() >= deadline {
            context.close(promise: nil)
        } else {
            startTimer(context: context)
        }
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
        deadline = .distantFuture
    }
}
