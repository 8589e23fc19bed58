import BillingCore

extension StripeClient {
    public func subscriptions(customer: String) async throws(StripeCallError) -> [JSONValue] {
        var form = StripeForm()
        form.append("customer", customer)
        // Every status: a subscription that is trialing, past due or paused still routes usage to its items.
        form.append("status", "all")
        return try await list(
            .listSubscriptions, path: "/v1/subscriptions", form: form, version: configuration.versionMeter, metadata: ["stripe.customer": customer]
        ).map(\.0)
    }
}
