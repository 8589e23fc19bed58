import ArgumentParser
import BillingCore
import NIOHTTP1

/// `meterbridge usage`: usage in a running instance, through its admin API.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Record usage in a running meterbridge.",
        subcommands: [UsageAddCommand.self]
    )
}

/// `meterbridge usage add`: POST one usage record to `/v1/usage` of a running instance and print its answer.
struct UsageAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record one usage record: POST /v1/usage to a running instance.",
        discussion: """
            Prints the answer, e.g. {"accepted":1,"duplicates":0}; exits 1 with the server's message when it refuses \
            the record. Without --id every call is new usage, also when it repeats an earlier one (as Stripe counts a \
            meter event without an identifier). Give --id to make a retry safe: a record whose id is stored is a duplicate.
            """
    )

    @Option(name: .long, help: "The Stripe customer id (cus_…).")
    var customer: String

    @Option(name: .long, help: "A metric of the instance's catalogue (`metrics` in its configuration).")
    var metric: String

    @Option(name: .long, help: "A non-negative integer.")
    var quantity: Int64

    @Option(name: .long, help: ArgumentHelp("When the usage happened, unix seconds (default: the server's now).", valueName: "unix-seconds"))
    var timestamp: Int64?

    @Option(name: .long, help: "Idempotency id of the record (up to 255 bytes): the same id is stored once; without one every call is new usage.")
    var id: String?

    @OptionGroup var connection: AdminConnection

    func run() async throws {
        var record: JSONObject = ["customer": .string(customer), "metric": .string(metric), "quantity": .int(quantity)]
        if let timestamp { record["timestamp"] = .int(timestamp) }
        if let id { record["id"] = .string(id) }
        print(try await connection.send(.POST, "/v1/usage", body: JSONValue.object(record).serialized))
    }
}
