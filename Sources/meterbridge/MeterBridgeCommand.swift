import ArgumentParser

/// The `meterbridge` command: the service and the operator's tools.
@main
struct MeterBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterbridge",
        abstract: "Usage-based billing beside Stripe: verified webhooks, billing periods, exact usage reporting.",
        discussion: """
            Settings come from a config file (--config or MB_CONFIG, YAML or JSON) and MB_* / STRIPE_* environment \
            variables, which override the file. The store is embedded SQLite unless MB_DATABASE_URL says otherwise.
            """,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, StatusCommand.self, FlushCommand.self, EventsCommand.self, SignCommand.self, SendCommand.self,
            HealthCommand.self, UsageCommand.self, DemoCommand.self, ReplayCommand.self, ReconcileCommand.self, GenerateEventsCommand.self,
        ]
    )
}
