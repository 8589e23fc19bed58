import HTTPTypes
import Synchronization

extension DoubleCore {
    /// A request that passed routing, authentication and decoding.
    struct Prepared: Sendable {
        var route: MatchedRoute
        var apiKey: String
        var version: APIVersion
        var parameters: FormParameters
        var idempotencyKey: String?
    }

    /// The injected fault a request meets and what its idempotency key decides, taken together.
    private struct Admission: Sendable {
        var fault: InjectedFault?
        /// Nil when the fault answers first or the request carries no key.
        var decision: IdempotencyStore.Decision?
    }

    /// Stripe's order of work for one request: route, authenticate, decode, injected fault,
    /// idempotency, execute; then record and answer (or cut the connection).
    func process(_ incoming: IncomingRequest) async -> Outcome {
        let now = configuration.now()
        let requestID = state.withLock { $0.makeID("req") }
        var parameters = FormParameters()
        let prepared: Prepared
        do throws(StripeError) {
            prepared = try prepare(incoming, parameters: &parameters)
        } catch {
            return finish(incoming, requestID: requestID, route: MatchedRoute(method: incoming.method, path: incoming.path),
                parameters: parameters, now: now, response: error.response)
        }
        let finishing = { (response: StripeResponse, fault: InjectedFault?, replayed: Bool, applied: Bool, drop: Bool) -> Outcome in
            self.finish(incoming, requestID: requestID, route: prepared.route, parameters: parameters, now: now, response: response,
                fault: fault, replayed: replayed, applied: applied, dropAfterRecording: drop)
        }

        let admission = admit(prepared, path: incoming.path, requestID: requestID, now: now)
        let fault = admission.fault
        let dropAfter = fault == .dropConnection(.afterApplying)
        switch fault {
        case .status?:
            // Like Stripe's rate limiter, the fault answers before the endpoint runs: nothing applied, nothing saved.
            return finishing(fault?.error?.response ?? StripeResponse(status: 500, body: .null), fault, false, false, false)
        case .dropConnection(.beforeApplying)?:
            return finishing(StripeResponse(status: 0, body: .null), fault, false, false, true)
        case .slow?, .dropConnection(.afterApplying)?, nil:
            break
        }
        switch admission.decision {
        case .execute?, nil:
            break
        case .replay(var response, let original)?:
            // Stripe replays the saved status and body and marks the answer as a replay.
            response.headers.append(("Idempotent-Replayed", "true"))
            response.headers.append(("Original-Request", original))
            return finishing(response, fault, true, false, dropAfter)
        case .refuse(let error)?:
            return finishing(error.response, fault, false, false, dropAfter)
        }
        if case .slow(let duration)? = fault {
            await delay(for: duration)
        }

        var (response, applied) = execute(prepared, path: incoming.path, now: configuration.now())
        if let key = prepared.idempotencyKey { response.headers.append(("Idempotency-Key", key)) }
        return finishing(response, fault, false, applied, dropAfter)
    }

    /// Takes the endpoint's next fault and, unless the fault answers first, looks up (and reserves)
    /// the idempotency key, in one critical section: once a queued fault is consumed, its request
    /// already holds its key, so a concurrent retry under that key meets Stripe's 409.
    private func admit(_ prepared: Prepared, path: String, requestID: String, now: Int64) -> Admission {
        state.withLock { state in
            let fault = state.nextFault(for: prepared.route.endpoint)
            switch fault {
            case .status?, .dropConnection(.beforeApplying)?: return Admission(fault: fault, decision: nil)
            case .slow?, .dropConnection(.afterApplying)?, nil: break
            }
            guard let key = prepared.idempotencyKey else { return Admission(fault: fault, decision: nil) }
            let decision = state.idempotency.begin(
                apiKey: prepared.apiKey, key: key, endpoint: prepared.route.endpoint, path: path, parameters: prepared.parameters,
                requestID: requestID, now: now, lifetime: configuration.idempotencyKeyLifetime)
            return Admission(fault: fault, decision: decision)
        }
    }

    /// Runs the endpoint and settles its idempotency key in one critical section.
    private func execute(_ prepared: Prepared, path: String, now: Int64) -> (StripeResponse, applied: Bool) {
        let request = EndpointRequest(
            route: prepared.route, path: path, parameters: prepared.parameters, version: prepared.version,
            livemode: Authentication.isLive(prepared.apiKey), now: now, settings: configuration)
        return state.withLock { state in
            let response: StripeResponse
            let saved: StripeResponse?
            do throws(StripeError) {
                response = try state.handle(request)
                saved = response
            } catch {
                response = error.response
                saved = error.savedForIdempotency ? error.response : nil
            }
            if let key = prepared.idempotencyKey {
                state.idempotency.finish(apiKey: prepared.apiKey, key: key, response: saved)
            }
            return (response, prepared.route.endpoint.isCreate && response.status == 200)
        }
    }

    /// Records the outcome, then hands it to the HTTP layer.
    private func finish(
        _ incoming: IncomingRequest, requestID: String, route: MatchedRoute?, parameters: FormParameters, now: Int64,
        response: StripeResponse, fault: InjectedFault? = nil, replayed: Bool = false, applied: Bool = false, dropAfterRecording: Bool = false
    ) -> Outcome {
        record(incoming, route: route, parameters: parameters, now: now, status: dropAfterRecording ? nil : response.status,
            body: dropAfterRecording ? "" : response.body, fault: fault, replayed: replayed, applied: applied)
        guard !dropAfterRecording else { return .drop }
        var response = response
        response.headers.append(("Request-Id", requestID))
        return .respond(response)
    }
}
