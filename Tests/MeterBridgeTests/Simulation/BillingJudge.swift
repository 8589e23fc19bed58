import BillingCore
import MeterBridge
import StripeDouble

/// What the judge found for one story.
struct StoryOutcome: Sendable {
    var seed: UInt64
    var variants: Set<SimulationVariant>
    var mismatches: [String]
    var timeline: [String]

    var passed: Bool { mismatches.isEmpty }
}

/// The judge: for every customer, metric and period, what the double bills must equal the usage recorded for it.
///
/// The rules, in one place:
/// 1. A post counts once per client `id` (a repeat with the same id is a retry); a post without an id always counts.
/// 2. It belongs to the subscription period containing its timestamp.
/// 3. Carry: usage that reaches meterbridge after its period's deadline counts in the period current when it arrived.
///    The deadline of a legacy item's period is its end (Stripe refuses usage records stamped before the current
///    period); of a meter item's, its invoice's `automatically_finalizes_at` (meter events stamped in the period still
///    count until then). A period that ends unannounced (an anchor reset, an immediate cancellation) closes a legacy
///    item one flush interval earlier: usage that arrived within the last interval had no reporter round before the
///    end, and Stripe refuses it after.
/// 4. Usage with no period to go to (stamped, or carried, outside every period of the subscription) bills nowhere.
/// 5. A `sum` metric bills the sum; a `last` metric the latest value by timestamp (then by arrival); a metric that
///    started on a `last_ever` price keeps billing its latest value in a period without one.
extension StoryRun {
    /// meterbridge's default `flush.interval`, which the simulated runtime keeps.
    static let flushInterval: Int64 = MeterBridgeConfiguration().flush.interval

    func judge() async throws -> StoryOutcome {
        let history = stripe.periodHistory(subscription: story.subscription)
        func period(containing time: Int64) -> (period: BillingPeriod, finalizesAt: Int64?)? {
            history.first { $0.period.contains(time) }
        }
        struct Key: Hashable, Comparable {
            var metric: String
            var start: Int64
            var end: Int64
            static func < (lhs: Key, rhs: Key) -> Bool { (lhs.metric, lhs.start) < (rhs.metric, rhs.start) }
        }
        var sums: [Key: Int64] = [:]
        var latest: [Key: (timestamp: Int64, order: Int, quantity: Int64)] = [:]
        var unbillable: Set<String> = []
        var seen: Set<String> = []
        for (order, entry) in accepted.enumerated() {
            let post = entry.post
            if let id = post.id, !seen.insert(id).inserted { continue }
            guard let home = period(containing: post.timestamp) else {
                unbillable.insert(post.metric.name)
                continue
            }
            let unannounced = home.period.end - home.period.start != StoryGenerator.period
            let legacyDeadline = unannounced ? home.period.end - Self.flushInterval : home.period.end
            let deadline = mode(post.metric.product, at: post.timestamp) == .legacy ? legacyDeadline : (home.finalizesAt ?? .max)
            var target = home.period
            if entry.at >= deadline {
                guard let carried = period(containing: entry.at) else {
                    unbillable.insert(post.metric.name)
                    continue
                }
                target = carried.period
            }
            let key = Key(metric: post.metric.name, start: target.start, end: target.end)
            sums[key, default: 0] += post.quantity
            if latest[key].map({ ($0.timestamp, $0.order) < (post.timestamp, order) }) ?? true {
                latest[key] = (post.timestamp, order, post.quantity)
            }
        }
        var expected: [Key: Int64] = [:]
        for metric in story.metrics {
            var carry: Int64?
            for entry in history {
                let key = Key(metric: metric.name, start: entry.period.start, end: entry.period.end)
                if metric.last {
                    if let value = latest[key]?.quantity {
                        expected[key] = value
                        carry = value
                    } else if story.lastEver, let carry {
                        expected[key] = carry
                    }
                } else if let sum = sums[key] {
                    expected[key] = sum
                }
            }
        }
        var billed: [Key: Int64] = [:]
        let products = Dictionary(uniqueKeysWithValues: story.metrics.map { ($0.product, $0.name) })
        for line in stripe.invoicedUsage() where line.customer == story.customer {
            guard let metric = products[line.product] else { continue }
            billed[Key(metric: metric, start: line.period.start, end: line.period.end), default: 0] += line.quantity
        }
        var mismatches: [String] = []
        var table: [String] = []
        for key in Set(expected.keys).union(billed.keys).sorted() {
            let want = expected[key] ?? 0
            let got = billed[key] ?? 0
            table.append("\(key.metric) [\(key.start), \(key.end)): billed \(got), expected \(want)")
            if want != got { mismatches.append("\(key.metric) [\(key.start), \(key.end)): Stripe bills \(got), usage recorded \(want)") }
        }
        for problem in statusProblems where !unbillable.contains(String(problem.prefix { $0 != ":" })) {
            mismatches.append("status: \(problem)")
        }
        var lines = timeline
        lines.append("stripe calls:")
        for request in stripe.requests() {
            let fault = request.fault.map { " fault=\($0)" } ?? ""
            let body = [
                "quantity", "timestamp", "action", "payload[value]", "timestamp", "identifier", "event_name",
            ].compactMap { name in request.parameter(name).map { "\(name)=\($0)" } }
            lines.append("  #\(request.sequence) t=\(request.receivedAt) \(request.method) \(request.path) -> \(request.status.map(String.init) ?? "dropped")"
                + "\(fault)\(request.replayed ? " replayed" : "") key=\(request.idempotencyKey ?? "-") \(body.joined(separator: " "))")
        }
        lines.append("billed vs expected per period:")
        lines += table.map { "  " + $0 }
        return StoryOutcome(seed: story.seed, variants: story.variants, mismatches: mismatches, timeline: lines)
    }
}
