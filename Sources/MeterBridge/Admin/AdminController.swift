import BillingStore
import Hummingbird

/// The admin API under `/v1` (bearer token): local state for operators and the company's product.
struct AdminController: Sendable {
    let state: any BillingStateStore
    let token: String?

    func register(on router: Router<some RequestContext>) {
        let group = router.group("/v1").add(middleware: AdminAuthentication(token: token))
        group.get("/subscriptions/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard let record = try await state.subscription(id: id) else {
                return APIError(status: .notFound, type: "invalid_request_error", code: "resource_missing",
                                message: "No subscription \(id) is known here yet; it appears once one of its events is processed").response
            }
            return HealthController.encode(try SubscriptionView(record: record), status: .ok)
        }
    }
}
