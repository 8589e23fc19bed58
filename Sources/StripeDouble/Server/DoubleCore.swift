import Logging
import Synchronization

/// The double's settings and state, shared by the HTTP responder and the public API.
final class DoubleCore: Sendable {
    let configuration: StripeAPIDouble.Configuration
    let state: Mutex<DoubleState>
    /// The version used when a request sends no `Stripe-Version` header.
    let defaultVersion: APIVersion

    init(configuration: StripeAPIDouble.Configuration) {
        guard let version = APIVersion(configuration.accountDefaultVersion) else {
            preconditionFailure("Invalid accountDefaultVersion: \(configuration.accountDefaultVersion)")
        }
        self.configuration = configuration
        self.defaultVersion = version
        self.state = Mutex(DoubleState())
    }

    /// The request log's length, read without copying it.
    var requestCount: Int {
        state.withLock { $0.requests.count }
    }

    /// Appends the request and its fate to the log. Called before the answer leaves (or the
    /// connection is cut), so a client that has seen the outcome also finds it in the log.
    func record(
        _ incoming: IncomingRequest, route: MatchedRoute?, parameters: FormParameters, now: Int64,
        status: Int?, body: String, fault: InjectedFault?, replayed: Bool, applied: Bool
    ) {
        state.withLock { state in
            let entry = RecordedRequest(
                sequence: state.requests.count + 1, method: incoming.method, path: incoming.path, query: incoming.query,
                endpoint: route?.endpoint, headers: incoming.headers, parameters: parameters, status: status, responseBody: body,
                fault: fault, replayed: replayed, applied: applied, receivedAt: now)
            state.requests.append(entry)
        }
        configuration.logger.debug(
            "Request handled",
            metadata: [
                "stripe.double.method": "\(incoming.method)", "stripe.double.path": "\(incoming.path)",
                "stripe.double.status": "\(status.map(String.init) ?? "dropped")", "stripe.double.fault": "\(fault?.description ?? "none")",
            ])
    }
}
