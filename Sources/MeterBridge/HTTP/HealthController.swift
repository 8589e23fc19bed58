import BillingCore
import BillingStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `/healthz` (the process serves), `/readyz` (it can take webhooks, and how far behind it is) and `/metrics`.
struct HealthController: Sendable {
    let inbox: any InboxStore
    let ledger: any UsageReportStore
    let reporter: ReporterStatus
    let clock: any UnixClock
    let metrics: MeterBridgeMetrics

    func register(on router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in
            JSONText.response(status: .ok, body: #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, context in
            let report = await readiness(logger: context.logger)
            return JSONText.encode(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render()))
            )
        }
    }

    /// Ready means webhooks can be stored. Processing lag and dead letters are reported but do not make the
    /// instance unready: taking it out of the load balancer would stop ingest too and make the backlog worse.
    func readiness(logger: Logger) async -> ReadinessReport {
        var report = ReadinessReport()
        do {
            try await inbox.checkWritable()
            report.checks["store"] = .init(status: "ok")
        } catch {
            logger.error("Readiness: store cannot commit", metadata: ["error": "\(error)"])
            report.checks["store"] = .init(status: "fail", detail: "the store cannot commit: \(error)")
        }
        do {
            let counts = try await inbox.counts()
            let oldest = try await inbox.oldestUnprocessedReceivedAt()
            let age = oldest.map { max(0, (clock.now - $0).components.seconds) }
            let pending = (counts[.pending] ?? 0) + (counts[.failed] ?? 0)
            report.checks["processing"] = .init(
                status: (age ?? 0) > Self.lagWarning ? "warn" : "ok",
                detail: age.map { "oldest unprocessed event received \($0) s ago" } ?? "no unprocessed events",
                ageSeconds: age, count: pending
            )
            let dead = counts[.dead] ?? 0
            report.checks["dead_letters"] = .init(
                status: dead > 0 ? "warn" : "ok",
                detail: dead > 0 ? "\(dead) events gave up after repeated failures; see `meterbridge events --status dead`" : nil,
                count: dead
            )
            let reports = try await ledger.reportCounts()
            let deadReports = reports[.dead] ?? 0
            report.checks["usage_dead_letters"] = .init(
                status: deadReports > 0 ? "warn" : "ok",
                detail: deadReports > 0 ? "\(deadReports) usage reports were refused by Stripe; fix the cause, then `meterbridge flush --retry-dead`" : nil,
                count: deadReports
            )
            // Not a problem, and not a dead letter: the usage of these reports went out through another report.
            let replanned = reports[.replanned] ?? 0
            report.checks["usage_replanned"] = .init(
                status: "ok",
                detail: replanned > 0 ? "\(replanned) usage reports were replanned (price moved to a meter, or period ended in flight); their usage was sent again where it belongs" : nil,
                count: replanned
            )
            let meterErrors = try await inbox.events(EventQuery(types: [EventType.meterErrorReportTriggered], since: clock.now.seconds - 86_400)).count
            report.checks["meter_error_reports"] = .init(
                status: meterErrors > 0 ? "warn" : "ok",
                detail: meterErrors > 0 ? "Stripe reported meter event errors in the last 24 h; see `meterbridge events --type \(EventType.meterErrorReportTriggered)`" : nil,
                count: meterErrors
            )
        } catch {
            report.checks["processing"] = .init(status: "fail", detail: "the store cannot be read: \(error)")
        }
        let reporting = reporter.snapshot
        report.checks["reporter"] = .init(
            status: !reporting.reportingEnabled || reporting.failingSince != nil ? "warn" : "ok",
            detail: !reporting.reportingEnabled
                ? "reporting paused: no Stripe API key (STRIPE_API_KEY); usage is kept"
                : reporting.failingSince.map { "Stripe calls failing since \($0.seconds): \(reporting.lastError ?? "")" },
            failingSince: reporting.failingSince.map(\.seconds),
            lastSuccess: reporting.lastSuccess.map(\.seconds)
        )
        return report
    }

    // Stripe's finalization grace is an hour; a backlog of five minutes already deserves attention.
    static let lagWarning: Int64 = 300

}

/// The `/readyz` answer: overall status and one entry per check.
struct ReadinessReport: Codable, Sendable {
    var checks: [String: Check] = [:]
    var status: String { ready ? "ready" : "not_ready" }
    var ready: Bool { !checks.values.contains { $0.status == "fail" } }

    /// One check: `ok`, `warn` (reported, still ready) or `fail` (not ready).
    struct Check: Codable, Sendable {
        var status: String
        var detail: String?
        var ageSeconds: Int64?
        var count: Int?
        /// Unix seconds of the first failure of the reporter's current run of failures.
        var failingSince: Int64?
        /// Unix seconds of the last call Stripe accepted.
        var lastSuccess: Int64?
    }

    enum CodingKeys: String, CodingKey { case status, checks }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checks = try container.decode([String: Check].self, forKey: .checks)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(checks, forKey: .checks)
    }
}
