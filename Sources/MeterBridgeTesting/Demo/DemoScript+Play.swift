import BillingCore
import StripeEventBuilders

extension DemoScript {
    static let day: Int64 = 86_400
    static let hour: Int64 = 3_600

    /// The story: January on a legacy metered price (a schedule plans the move to the meter price at the renewal,
    /// so legacy usage is mirrored by shadow meter events), the renewal into February on the meter price with late
    /// January usage carried, then a cancellation at the end of February and the final flush on deletion.
    mutating func play() async throws {
        try await january()
        try await renewal()
        try await february()
    }

    /// Period 1: legacy usage records, the migration planned, and the two flushes before the boundary.
    private mutating func january() async throws {
        let period = story.periods[0], story = story
        try await webhook("customer.subscription.created (\(story.legacy.id))", at: period.start) { _ in
            story.created
        }
        for day: Int64 in [2, 6] {
            try await usage(at: period.start + day * Self.day + 10 * Self.hour, count: 3, 50...400)
            try await regularFlush(at: period.start + day * Self.day + 10 * Self.hour + 60)
        }
        try await webhook(
            "subscription_schedule.updated (→ \(story.meter.id) at renewal)", at: period.start + 9 * Self.day + 14 * Self.hour
        ) { story.migrationPlanned(at: $0) }
        for day: Int64 in [13, 20, 27] {
            try await usage(at: period.start + day * Self.day + 11 * Self.hour, count: 3, 50...400)
            try await regularFlush(at: period.start + day * Self.day + 11 * Self.hour + 60)
        }
        // Usage lands just before each boundary flush, so those flushes (not a regular one) carry it.
        try await usage(at: period.end - 330, count: 2, 100...500)
        try await flush("pre-boundary flush timer (boundary − 300 s)", at: period.end - 300)
        try await usage(at: period.end - 40, 10...90)
        try await flush("final flush timer (boundary − 10 s)", at: period.end - 10)
        try await usage(at: period.end - 3, 5...40, note: " (after the final flush)")
    }

    /// The boundary: Stripe renews, the webhooks arrive, late January usage is carried into February.
    private mutating func renewal() async throws {
        let ended = story.periods[0], story = story
        try stripeRenews(from: 0, at: ended.end)
        try await usage(at: ended.end + 10, 10...60)
        try await webhook("customer.subscription.updated (renewal, \(story.meter.id))", at: ended.end + 30) {
            story.renewed(at: $0)
        }
        try await webhook("invoice.created (\(story.invoiceID(period: 0)), period 1)", at: ended.end + 60) {
            story.invoice("invoice.created", period: 0, at: $0)
        }
        let late = ended.end - 5
        try await usage(at: ended.end + 120, 20...80, timestamp: late, note: ", late (from \(DemoTime.format(late)))")
        try await regularFlush(at: ended.end + 180)
        try await webhook("invoice.finalized (\(story.invoiceID(period: 0)))", at: ended.end + Self.hour + 60) {
            story.invoice("invoice.finalized", period: 0, at: $0)
        }
    }

    /// Period 2: meter events, the cancellation at period end, and the final flush when the subscription ends.
    private mutating func february() async throws {
        let period = story.periods[1], story = story
        for day: Int64 in [3, 9] {
            try await usage(at: period.start + day * Self.day + 9 * Self.hour, count: 3, 50...400)
            try await regularFlush(at: period.start + day * Self.day + 9 * Self.hour + 60)
        }
        try await webhook("customer.subscription.updated (cancel_at_period_end)", at: period.start + 12 * Self.day + 16 * Self.hour) {
            story.cancelledAtPeriodEnd(at: $0)
        }
        for day: Int64 in [18, 25] {
            try await usage(at: period.start + day * Self.day + 9 * Self.hour, count: 3, 50...400)
            try await regularFlush(at: period.start + day * Self.day + 9 * Self.hour + 60)
        }
        try await usage(at: period.end - 330, count: 2, 100...500)
        try await flush("pre-boundary flush timer (boundary − 300 s)", at: period.end - 300)
        try await usage(at: period.end - 40, 10...90)
        try await flush("final flush timer (boundary − 10 s)", at: period.end - 10)
        try await usage(at: period.end - 2, 5...40, note: " (after the final flush)")
        try await webhook("customer.subscription.deleted", at: period.end + 5) { story.deleted(at: $0) }
        try await webhook("invoice.created (\(story.invoiceID(period: 1)), period 2)", at: period.end + 60) {
            story.invoice("invoice.created", period: 1, at: $0)
        }
        try await webhook("invoice.finalized (\(story.invoiceID(period: 1)))", at: period.end + Self.hour + 60) {
            story.invoice("invoice.finalized", period: 1, at: $0)
        }
    }
}
