import AsyncHTTPClient
import BillingCore
import Logging
import NIOCore
import NIOHTTP1

/// One Stripe request as the transport sends it, on every attempt identically.
struct StripeRequest: Sendable {
    var operation: StripeOperation
    var method: HTTPMethod
    /// Path with percent-encoded components, from `/v1/…`.
    var path: String
    /// The form body of a POST, or the query of a GET.
    var form: StripeForm
    var version: String
    /// Sent as `Idempotency-Key` (POST only).
    var idempotencyKey: String?
    /// Extra log metadata for this call (`stripe.idempotency_key`, `stripe.meter_event.identifier`).
    var metadata: Logger.Metadata = [:]
}

/// A successful answer.
struct StripeAnswer: Sendable {
    var status: Int
    var json: JSONValue
    var requestID: String?
    var replayed: Bool
    var attempts: Int
}

extension StripeClient {
    /// Sends `request` until it succeeds, fails for good, or runs out of attempts: a rate-limit token
    /// before each attempt, backoff with jitter between attempts (at least the `Retry-After` asked for).
    func perform(_ request: StripeRequest) async throws(StripeCallError) -> StripeAnswer {
        var logger = self.logger
        logger[metadataKey: "stripe.endpoint"] = "\(request.operation.rawValue)"
        for (key, value) in request.metadata { logger[metadataKey: key] = value }

        var attempt = 0
        while true {
            attempt += 1
            let waited: Duration
            do {
                waited = try await rateLimiter.acquire()
            } catch {
                throw cancelled(request.operation, attempts: attempt - 1)
            }
            if waited > .zero {
                observer.rateLimitWaited(request.operation, duration: waited)
                logger.debug("Waited for a Stripe rate-limit token", metadata: ["stripe.rate_limit.wait_ms": "\(Self.milliseconds(waited))"])
            }

            let started = ContinuousClock.now
            let outcome = await send(request)
            let duration = ContinuousClock.now - started
            switch outcome {
            case .success(var answer):
                answer.attempts = attempt
                observer.attemptFinished(request.operation, status: answer.status, error: nil, duration: duration)
                logger.debug(
                    "Stripe call succeeded",
                    metadata: [
                        "stripe.status": "\(answer.status)", "stripe.request_id": "\(answer.requestID ?? "-")",
                        "stripe.attempt": "\(attempt)", "stripe.replayed": "\(answer.replayed)",
                    ])
                return answer
            case .failure(var error):
                error.attempts = attempt
                observer.attemptFinished(request.operation, status: error.status, error: error, duration: duration)
                var metadata: Logger.Metadata = [
                    "stripe.status": "\(error.status.map(String.init) ?? "none")", "stripe.request_id": "\(error.requestID ?? "-")",
                    "stripe.attempt": "\(attempt)", "stripe.error.code": "\(error.code)", "stripe.error.message": "\(error.message)",
                ]
                // A cancelled task stops at once: its work is kept by the caller, not retried here.
                guard error.code != .cancelled,
                    let delay = configuration.retry.delay(afterAttempt: attempt, error: error, jitter: nextJitter())
                else {
                    metadata["stripe.should_retry"] = "\(error.shouldRetry)"
                    logger.debug("Stripe call failed", metadata: metadata)
                    throw error
                }
                observer.retryScheduled(request.operation, afterAttempt: attempt, error: error, delay: delay)
                metadata["stripe.retry_delay_ms"] = "\(Self.milliseconds(delay))"
                logger.debug("Stripe call failed, retrying", metadata: metadata)
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    throw cancelled(request.operation, attempts: attempt)
                }
            }
        }
    }

    /// One HTTP attempt, its answer read in full and classified.
    private func send(_ request: StripeRequest) async -> Result<StripeAnswer, StripeCallError> {
        var http = HTTPClientRequest(url: configuration.apiBase + request.path)
        http.method = request.method
        http.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
        http.headers.add(name: "Stripe-Version", value: request.version)
        http.headers.add(name: "User-Agent", value: "meterbridge")
        http.headers.add(name: "Accept", value: "application/json")
        if request.method == .POST {
            http.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            if let key = request.idempotencyKey { http.headers.add(name: "Idempotency-Key", value: key) }
            http.body = .bytes(ByteBuffer(string: request.form.encoded))
        } else if !request.form.isEmpty {
            http.url += "?" + request.form.encoded
        }

        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(http, timeout: Self.timeAmount(configuration.requestTimeout))
            body = try await response.body.collect(upTo: configuration.maximumResponseSize)
        } catch {
            return .failure(transportError(error, operation: request.operation))
        }
        do {
            return .success(try classify(status: Int(response.status.code), headers: response.headers, body: body, operation: request.operation))
        } catch {
            return .failure(error)
        }
    }

    /// A 2xx with a JSON object body is an answer; anything else becomes a ``StripeCallError``.
    func classify(status: Int, headers: HTTPHeaders, body: ByteBuffer, operation: StripeOperation) throws(StripeCallError) -> StripeAnswer {
        let requestID = headers.first(name: "Request-Id")
        let json = try? JSONParser.parse(body.readableBytesView)
        guard (200..<300).contains(status) else {
            let error = json?["error"]
            let type = error?["type"]?.stringValue
            let shouldRetry: Bool
            switch headers.first(name: "Stripe-Should-Retry")?.lowercased() {
            case "true"?: shouldRetry = true
            case "false"?: shouldRetry = false
            default: shouldRetry = StripeCallError.defaultShouldRetry(status: status)
            }
            let message = error?["message"]?.stringValue ?? "HTTP \(status) without a Stripe error body"
            throw StripeCallError(
                code: StripeCallError.code(status: status, stripeType: type), operation: operation, status: status, stripeType: type,
                stripeCode: error?["code"]?.stringValue, message: redactingKey(message), param: error?["param"]?.stringValue,
                requestID: requestID, shouldRetry: shouldRetry, retryAfter: headers.first(name: "Retry-After").flatMap(Self.retryAfter))
        }
        guard let json, json.objectValue != nil else {
            throw StripeCallError(
                code: .unexpectedResponse, operation: operation, status: status, message: "The answer is not a JSON object.",
                requestID: requestID, shouldRetry: false)
        }
        return StripeAnswer(
            status: status, json: json, requestID: requestID, replayed: headers.first(name: "Idempotent-Replayed") == "true", attempts: 1)
    }

    /// A failure without an answer: timeout, network error or cancellation.
    private func transportError(_ error: any Error, operation: StripeOperation) -> StripeCallError {
        if Task.isCancelled || error is CancellationError {
            return cancelled(operation, attempts: 0)
        }
        if let error = error as? HTTPClientError,
            [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout].contains(error)
        {
            return StripeCallError(
                code: .timeout, operation: operation, message: "No answer within \(configuration.requestTimeout) (\(error)).", shouldRetry: true)
        }
        return StripeCallError(code: .network, operation: operation, message: redactingKey("No answer: \(error)."), shouldRetry: true)
    }

    func cancelled(_ operation: StripeOperation, attempts: Int) -> StripeCallError {
        StripeCallError(code: .cancelled, operation: operation, message: "The call was cancelled.", shouldRetry: true, attempts: attempts)
    }

    /// Defence in depth: Stripe masks keys in its messages, but no text with the key leaves this client.
    func redactingKey(_ text: String) -> String {
        guard !configuration.apiKey.isEmpty, text.contains(configuration.apiKey) else { return text }
        return text.replacing(configuration.apiKey, with: Configuration.redacted(configuration.apiKey))
    }

    /// `Retry-After` in seconds (Stripe sends no HTTP-date form).
    static func retryAfter(_ value: String) -> Duration? {
        guard let seconds = Int64(value.trimmingPrefix(" ")), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(TokenBucket.nanoseconds(duration))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        TokenBucket.nanoseconds(duration) / 1_000_000
    }
}
