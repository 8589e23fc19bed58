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
    private var deadline: Scheduled<Void>?

    /// - Parameters:
    ///   - headTimeout: time from connecting to a complete first request head.
    ///   - nextHeadTimeout: time from the end of a request to the next head on a kept-alive connection.
    ///   - bodyTimeout: time from a head to the end of its body.
    init(headTimeout: TimeAmount, nextHeadTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.nextHeadTimeout = nextHeadTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(headTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
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
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        deadline?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }
}
