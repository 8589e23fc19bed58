import ArgumentParser
import BillingStore
import Foundation
import MeterBridge

/// `meterbridge reconcile`: local usage totals against Stripe's summaries, for one subscription.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare local usage totals with Stripe's usage record summaries or meter event summaries.",
        discussion: """
            For each usage item of the subscription and each chosen period (by default the current and the previous \
            one), prints the usage recorded locally, the usage meterbridge reported and Stripe acknowledged, Stripe's \
            own total (usage record summaries for legacy items, meter event summaries for the customer for meter items, \
            and for a legacy period mirrored to a meter during a migration, a `shadow` row), and the difference \
            (Stripe − reported). Recorded and reported differ legitimately when usage was carried into a later period. \
            Needs STRIPE_API_KEY (and MB_STRIPE_API_BASE to point elsewhere than api.stripe.com). Exits 1 when any \
            difference is found (or Stripe could not be asked), 0 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The subscription to reconcile.", valueName: "sub_…"))
    var subscription: String

    @Option(
        name: .long,
        help: ArgumentHelp("Only the period containing this time: its start as unix seconds, or a date YYYY-MM-DD (UTC).", valueName: "time")
    )
    var period: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if let period, TimeArgument.parse(period) == nil {
            throw ValidationError("--period \(period): expected unix seconds or a date such as 2026-11-01")
        }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let logger = global.makeLogger()
        guard let reconciler = Reconciler(configuration: configuration, logger: logger) else {
            throw ConfigurationError(
                key: "stripe.api_key",
                message: "reconcile asks Stripe for its summaries: set STRIPE_API_KEY (sk_… or rk_… with read access to usage)"
            )
        }
        let database = try await StoreOpener.open(configuration, logger: logger)
        let report: ReconcileReport
        do {
            report = try await reconciler.reconcile(subscriptionID: subscription, period: period.flatMap(TimeArgument.parse), store: database)
        } catch let failure as Reconciler.Failure {
            await database.close()
            throw ValidationError(failure.description)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        if json || !Output.isTerminal {
            print(try Output.json(report))
        } else {
            print(Self.table(report))
        }
        if report.hasDifferences { throw ExitCode(1) }
    }

    static func table(_ report: ReconcileReport) -> String {
        guard !report.rows.isEmpty else { return "\(report.subscription) has no usage-based period to reconcile." }
        let rows = report.rows.map { row in
            [
                row.item, "\(Output.time(row.periodStart)) → \(Output.time(row.periodEnd))", row.mode, "\(row.recorded)", "\(row.reported)",
                row.stripe.map { "\($0)" } ?? "?", row.difference.map { $0 == 0 ? "0" : ($0 > 0 ? "+\($0)" : "\($0)") } ?? "?",
                [row.error, row.note].compactMap { $0 }.joined(separator: "; "),
            ]
        }
        var text = Output.table(headers: ["ITEM", "PERIOD", "MODE", "RECORDED", "REPORTED", "STRIPE", "DIFFERENCE", "NOTE"], rows: rows)
        let differing = report.rows.count { $0.differs }
        text += "\n\n" + (differing == 0
            ? "\(report.subscription) (customer \(report.customer ?? "?")): Stripe agrees with what meterbridge reported."
            : "\(report.subscription) (customer \(report.customer ?? "?")): \(differing) of \(report.rows.count) rows differ.")
        return text
    }
}
