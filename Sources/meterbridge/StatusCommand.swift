import ArgumentParser
import BillingStore
import Foundation
import MeterBridge

/// `meterbridge status`: subscriptions, items, modes, open periods, timers and what is stuck.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show subscriptions, items, reporting modes, periods, timers and dead letters.",
        discussion: "Reads the store directly (safe while serve runs). A table on a terminal; --json for scripts."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only this subscription, with every period, planned transition and timer.", valueName: "sub_…"))
    var subscription: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let database = try await StoreOpener.open(configuration, logger: global.makeLogger())
        let report: StatusReport
        do {
            report = try await StatusReport.load(from: database, subscription: subscription)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        if let subscription, report.subscriptions.isEmpty {
            throw ValidationError("no subscription \(subscription) in \(configuration.database); it appears once one of its events is processed")
        }
        if json || !Output.isTerminal {
            print(try Output.json(report))
        } else {
            print(report.table(detailed: subscription != nil))
        }
    }
}

/// What `status` shows: subscriptions and the counts an operator looks at first.
struct StatusReport: Encodable {
    var subscriptions: [SubscriptionView]
    var events: [String: Int]
    var deadActions: Int
    var pendingActions: Int
    /// Usage reports by status: `dead` ones wait for an operator, `replanned` ones had their usage planned again.
    var reports: [String: Int]

    static func load(from database: any BillingStateStore & InboxStore & UsageReportStore, subscription: String?) async throws -> StatusReport {
        let records: [SubscriptionRecord]
        if let subscription {
            records = try await database.subscription(id: subscription).map { [$0] } ?? []
        } else {
            records = try await database.subscriptions()
        }
        let counts = try await database.counts()
        let actions = try await database.actionCounts()
        let reports = try await database.reportCounts()
        return StatusReport(
            subscriptions: try records.map(SubscriptionView.init(record:)),
            events: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
            deadActions: actions[.dead] ?? 0, pendingActions: actions[.pending] ?? 0,
            reports: Dictionary(uniqueKeysWithValues: reports.map { ($0.key.rawValue, $0.value) })
        )
    }

    func table(detailed: Bool) -> String {
        var rows: [[String]] = []
        for subscription in subscriptions {
            for item in subscription.items {
                let periods = detailed ? item.periods : Array(item.periods.suffix(1))
                for period in periods {
                    let next = subscription.timers.min { $0.fireAt < $1.fireAt }
                    rows.append([
                        subscription.id, subscription.customer ?? "-", subscription.status ?? "-", subscription.billingMode, item.id, item.mode,
                        "\(Output.time(period.start)) → \(Output.time(period.end))", period.state,
                        next.map { "\($0.kind) \(Output.time($0.fireAt))" } ?? "-",
                    ])
                }
            }
        }
        var text = rows.isEmpty
            ? "No subscriptions yet: they appear once their events are processed."
            : Output.table(headers: ["SUBSCRIPTION", "CUSTOMER", "STATUS", "BILLING", "ITEM", "MODE", "PERIOD", "STATE", "NEXT TIMER"], rows: rows)
        if detailed, let subscription = subscriptions.first {
            for transition in subscription.plannedTransitions {
                text += "\nplanned: \(transition.fromPrice ?? "?") (\(transition.fromMode ?? "?")) → \(transition.toPrice) (\(transition.toMode ?? "?")) at \(Output.time(transition.effectiveAt))"
            }
            for timer in subscription.timers {
                text += "\ntimer: \(timer.kind) fires \(Output.time(timer.fireAt)) for the boundary at \(Output.time(timer.boundary))"
            }
        }
        let events = ["pending", "failed", "dead"].map { "\($0) \(self.events[$0] ?? 0)" }.joined(separator: ", ")
        text += "\n\nevents: \(events); actions: pending \(pendingActions), dead \(deadActions)"
        if (self.events["dead"] ?? 0) > 0 { text += "\nsee the errors with: meterbridge events --status dead" }
        let reports = UsageReportRow.Status.allCases.map { "\($0.rawValue) \(self.reports[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        text += "\nusage reports: \(reports)"
        if (self.reports["dead"] ?? 0) > 0 { text += "\nStripe refused the dead ones: fix the cause, then meterbridge flush --retry-dead" }
        if (self.reports["replanned"] ?? 0) > 0 { text += "\nreplanned reports' usage went to their items' new mode (or the current period); they are never sent again" }
        return text
    }
}
