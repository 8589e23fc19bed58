import BillingCore
import BillingStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/usage` (the company's product reports usage) and `GET /v1/customers/{id}/usage`, behind the admin token.
///
/// Answers of `POST /v1/usage`:
/// - `202 {"accepted":n,"duplicates":m}` once every record is durably stored: `accepted` stored now, `duplicates` ids
///   already stored with the same content (a retry); `n + m` is the number of records sent.
/// - `400 invalid_request_error` naming the first bad record and field (`records[17].quantity: …`): not JSON, not a
///   record or batch, 0 or more than `maxRecords` records, a missing, empty, mistyped or unknown field, an unknown
///   metric, a quantity that is not an integer in 0…2^53 − 1, a timestamp more than 5 minutes ahead.
/// - `409 idempotency_error` (`usage_id_conflict`): a record's id is already stored with different content (or used
///   twice in the batch that way). A 409, not a 400, because the body is valid: the id is taken.
/// - `413 body_too_large` over `bodyLimit` bytes, refused before it is read.
/// - `503 store_unavailable` when the store cannot commit: retry the same request, ids make it safe.
/// Nothing of a refused request is stored: a batch is stored in one transaction or not at all.
struct UsageController: Sendable {
    /// Limits of the usage endpoint.
    struct Configuration: Sendable {
        /// Records per request (10,000; docs/http-api.md, "POST /v1/usage").
        var maxRecords = 10_000
        /// Largest body in bytes (8 MiB): 10,000 records with 255-byte ids and customers fit; larger answers 413.
        var bodyLimit = 8 * 1024 * 1024
        /// Seconds a timestamp may lie ahead of the server's clock (300, as Stripe's meter events allow).
        var futureTolerance: Int64 = 300
    }

    let ledger: any UsageLedgerStore & UsageReportStore
    let catalogue: [String: MetricDefinition]
    let token: String?
    let clock: any UnixClock
    let metrics: MeterBridgeMetrics
    var configuration = Configuration()

    private var decoder: UsageBatchDecoder {
        UsageBatchDecoder(metrics: catalogue, maxRecords: configuration.maxRecords, futureTolerance: configuration.futureTolerance)
    }

    func register(on router: Router<some RequestContext>) {
        // The same guard as the rest of /v1 (AdminController): off without a token, constant-time comparison with one.
        let group = router.group("/v1").add(middleware: AdminAuthentication(token: token))
        group.post("/usage") { request, context in
            await ingest(request, logger: context.logger)
        }
        group.get("/customers/{id}/usage") { _, context in
            let id = try context.parameters.require("id")
            do {
                let totals = try await ledger.usage(customerID: id)
                let reports = try await ledger.reports(customerID: id)
                return JSONText.encode(CustomerUsageView(customer: id, totals: totals, reports: reports, catalogue: catalogue), status: .ok)
            } catch {
                context.logger.error("Usage could not be read", metadata: ["stripe.customer.id": "\(id)", "error": "\(error)"])
                return APIError(status: .serviceUnavailable, type: "api_error", code: "store_unavailable", message: "The usage could not be read; try again").response
            }
        }
    }

    func ingest(_ request: Request, logger: Logger) async -> Response {
        let (response, outcome, reason) = await answer(request, logger: logger)
        metrics.recordUsageRequest(outcome: outcome, reason: reason)
        return response
    }

    private func answer(_ request: Request, logger: Logger) async -> (Response, outcome: String, reason: String) {
        let batch: UsageBatch
        do throws(APIError) {
            batch = try await read(request)
        } catch {
            logger.debug("Usage rejected", metadata: ["usage.error.code": "\(error.code)"])
            return (error.response, "rejected", error.code)
        }
        let records = batch.records
        let result: UsageIngestResult
        do {
            result = try await ledger.recordUsage(records)
        } catch let conflict as UsageLedgerError {
            let path = UsageBatchDecoder.path(batch.isBatch ? conflict.recordIndex : nil, "id")
            let error = APIError(status: .conflict, type: "idempotency_error", code: "usage_id_conflict", message: "\(path): \(conflict.message); nothing was stored")
            logger.debug("Usage rejected", metadata: ["usage.error.code": "\(error.code)", "usage.record.id": "\(conflict.recordID)"])
            return (error.response, "rejected", error.code)
        } catch {
            logger.error("Usage could not be stored", metadata: ["usage.records": "\(records.count)", "error": "\(error)"])
            let failure = APIError(status: .serviceUnavailable, type: "api_error", code: "store_unavailable",
                                   message: "The usage could not be stored; nothing was stored, send the same request again")
            return (failure.response, "failed", failure.code)
        }
        metrics.recordUsageStored(records, duplicateIndices: result.duplicateIndices)
        logger.debug("Usage stored", metadata: ["usage.accepted": "\(result.accepted)", "usage.duplicates": "\(result.duplicates)"])
        return (JSONText.response(status: .accepted, body: #"{"accepted":\#(result.accepted),"duplicates":\#(result.duplicates)}"#), "stored", "")
    }

    /// The body, parsed and validated into records with their ids settled, at the clock's current time.
    private func read(_ request: Request) async throws(APIError) -> UsageBatch {
        let limit = configuration.bodyLimit
        let tooLarge = APIError.invalidRequest("body_too_large", "The body is larger than the \(limit)-byte limit; send at most \(configuration.maxRecords) records per request", status: .contentTooLarge)
        // A declared length over the limit is refused before a byte of the body is read.
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw tooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw .invalidRequest("unreadable_body", "The request body could not be read")
        }
        let document: UsageDocument
        do throws(JSONParseError) {
            document = try UsageDocumentReader.read(body.readableBytesView)
        } catch {
            throw .invalidRequest("invalid_json", "The body is not valid JSON: \(error.description)")
        }
        return try decoder.decode(document, now: clock.now)
    }
}
