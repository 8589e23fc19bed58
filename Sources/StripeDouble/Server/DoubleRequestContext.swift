import Hummingbird
import NIOCore

/// Request context that keeps the connection's channel, so a fault can cut it without answering.
struct DoubleRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
