import BillingCore
import BillingStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /webhooks/stripe`: verify the signature on the raw bytes, then store durably, and only then answer 200.
struct WebhookController: Sendable {
    let verifier: WebhookSignatureVerifier
    let livemode: LivemodeFilter
    let bodyLimit: Int
    let inbox: any InboxStore
    let clock: any UnixClock
    let metrics: MeterBridgeMetrics
    /// Poked after each new event so the processor starts on it at once.
    let signal: WorkSignal

    static let signatureHeader = HTTPField.Name("Stripe-Signature")!
    // The two success answers never change: build them once.
    private static let receivedBody = ByteBuffer(string: #"{"received":true,"duplicate":false}"#)
    private static let duplicateBody = ByteBuffer(string: #"{"received":true,"duplicate":true}"#)

    func register(on router: Router<some RequestContext>) {
        router.post("/webhooks/stripe") { request, context in
            await receive(request, logger: context.logger)
        }
    }

    func receive(_ request: Request, logger: Logger) async -> Response {
        let started = ContinuousClock.now
        let (response, outcome) = await answer(request, logger: logger)
        metrics.recordWebhook(outcome)
        metrics.recordWebhookDuration(ContinuousClock.now - started)
        return response
    }

    private func answer(_ request: Request, logger: Logger) async -> (Response, WebhookOutcome) {
        // A declared length over the limit is refused before a byte of the body is read.
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > bodyLimit {
            return tooLarge()
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            return tooLarge()
        } catch {
            logger.debug("Webhook body could not be read", metadata: ["error": "\(error)"])
            return (APIError.invalidRequest("unreadable_body", "The request body could not be read").response, .rejected("unreadable_body"))
        }
        let header = request.headers[Self.signatureHeader]
        let verified = body.withUnsafeReadableBytes { bytes -> Result<StripeEventEnvelope, APIError> in
            do throws(SignatureVerificationError) {
                try verifier.verify(payload: bytes, header: header, now: clock.now.seconds)
            } catch {
                return .failure(APIError(status: .badRequest, type: "signature_verification_failed", code: error.code.rawValue, message: error.message))
            }
            // Parsed only now that Stripe's signature vouches for the bytes.
            do throws(EventDecodingError) {
                return .success(try StripeEventEnvelope(parsing: bytes))
            } catch {
                return .failure(.invalidRequest("invalid_payload", "The body is not a Stripe event: \(error.description)"))
            }
        }
        let envelope: StripeEventEnvelope
        switch verified {
        case .success(let parsed):
            envelope = parsed
        case .failure(let error):
            logger.debug("Webhook rejected", metadata: ["reason": "\(error.code)"])
            return (error.response, .rejected(error.code))
        }
        guard livemode.accepts(livemode: envelope.livemode) else {
            let mode = envelope.livemode ? "live" : "test"
            let error = APIError.invalidRequest("livemode_mismatch", "This endpoint accepts \(livemode.rawValue) mode events only; \(envelope.id) is a \(mode) mode event")
            return (error.response, .rejected(error.code))
        }
        let event = ReceivedEvent(envelope: envelope, payload: body, signature: header ?? "", receivedAt: clock.now)
        do {
            switch try await inbox.store(event) {
            case .inserted:
                signal.poke()
                logger.debug("Event stored", metadata: ["stripe.event.id": "\(envelope.id)", "stripe.event.type": "\(envelope.type)"])
                return (JSONText.response(status: .ok, buffer: Self.receivedBody), .stored)
            case .duplicate:
                return (JSONText.response(status: .ok, buffer: Self.duplicateBody), .duplicate)
            case .redriven:
                signal.poke()
                logger.info("Failed event delivered again; it will be processed again", metadata: ["stripe.event.id": "\(envelope.id)"])
                return (JSONText.response(status: .ok, buffer: Self.duplicateBody), .redriven)
            }
        } catch {
            // 503 makes Stripe retry the delivery later; nothing was acknowledged.
            logger.error("Event could not be stored", metadata: ["stripe.event.id": "\(envelope.id)", "error": "\(error)"])
            let failure = APIError(status: .serviceUnavailable, type: "api_error", code: "store_unavailable", message: "The event could not be stored; Stripe will retry the delivery")
            return (failure.response, .failed("store_unavailable"))
        }
    }

    private func tooLarge() -> (Response, WebhookOutcome) {
        let error = APIError.invalidRequest("body_too_large", "The body is larger than the \(bodyLimit)-byte limit (webhook.body_limit)", status: .contentTooLarge)
        return (error.response, .rejected(error.code))
    }
}

extension ReceivedEvent {
    /// The inbox row for a verified delivery: the raw bytes as received plus the envelope's routing fields.
    init(envelope: StripeEventEnvelope, payload: ByteBuffer, signature: String, receivedAt: UnixTime) {
        self.init(
            id: envelope.id,
            type: envelope.type,
            apiVersion: envelope.apiVersion,
            created: envelope.created,
            livemode: envelope.livemode,
            account: envelope.account,
            objectType: envelope.dataObjectType ?? envelope.relatedObjectType,
            objectID: envelope.dataObjectID ?? envelope.relatedObjectID,
            subscriptionID: envelope.subscriptionID,
            customerID: envelope.customerID,
            payload: Array(payload.readableBytesView),
            signature: signature,
            receivedAt: receivedAt.milliseconds
        )
    }
}
