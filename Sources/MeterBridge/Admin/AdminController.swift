import BillingCore
import BillingStore
import Hummingbird

/// The admin API under `/v1` (bearer token): local state for operators and the company's product.
struct AdminController: Sendable {
    let state: any BillingStateStore
    let reporter: UsageReporter
    let token: String?

    func register(on router: Router<some RequestContext>) {
        let group = router.group("/v1").add(middleware: AdminAuthentication(token: token))
        group.get("/subscriptions/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard let record = try await state.subscription(id: id) else {
                return APIError(status: .notFound, type: "invalid_request_error", code: "resource_missing",
                                message: "No subscription \(id) is known here yet; it appears once one of its events is processed").response
            }
            return JSONText.encode(try SubscriptionView(record: record), status: .ok)
        }
        group.post("/flush") { request, context in
            let options = try await FlushRequest.decode(request, context: context)
            guard reporter.client != nil else {
                return APIError(status: .conflict, type: "invalid_request_error", code: "reporting_paused",
                                message: "Reporting is paused: no Stripe API key is configured (STRIPE_API_KEY); usage is kept").response
            }
            if options.retryDead { _ = try await reporter.ledger.retryDeadReports(at: reporter.clock.now) }
            do {
                let summary = try await reporter.flushNow(subscriptionID: options.subscription)
                return JSONText.encode(summary, status: .ok)
            } catch let busy as ReportingRoundBusy {
                return APIError(status: .serviceUnavailable, type: "api_error", code: "reporting_round_busy", message: busy.description).response
            }
        }
    }
}
