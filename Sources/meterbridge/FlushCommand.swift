import ArgumentParser
import BillingCore
import NIOHTTP1

/// `meterbridge flush`: report pending usage now, through a running instance.
struct FlushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Report pending usage to Stripe now (POST /v1/flush to a running instance).",
        discussion: "Prints how many reports were created, sent and failed. --retry-dead sends dead letters again after you fixed their cause."
    )

    @OptionGroup var connection: AdminConnection

    @Option(name: .long, help: ArgumentHelp("Only the customer of this subscription.", valueName: "sub_…"))
    var subscription: String?

    @Flag(name: .long, help: "Put usage reports Stripe refused back in the queue first.")
    var retryDead = false

    @Flag(help: "Print the JSON answer as it is.")
    var json = false

    func run() async throws {
        var fields: JSONObject = [:]
        if let subscription { fields["subscription"] = .string(subscription) }
        if retryDead { fields["retry_dead"] = .bool(true) }
        let answer = try await connection.send(.POST, "/v1/flush", body: JSONValue.object(fields).serialized)
        guard !json, Output.isTerminal, let summary = try? JSONParser.parse(answer) else {
            print(answer)
            return
        }
        let created = summary["reports_created"]?.int64Value ?? 0, sent = summary["sent"]?.int64Value ?? 0, failed = summary["failed"]?.int64Value ?? 0
        print("reports created \(created), sent \(sent), failed \(failed)")
    }
}
