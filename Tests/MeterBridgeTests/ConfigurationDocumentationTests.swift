import MeterBridge
import Testing

/// The README's and docs/configuration.md's settings tables agree with the declared settings, so documentation cannot
/// drift from the code: a key, environment variable or default changed in one place fails here, naming the difference.
struct ConfigurationDocumentationTests {
    @Test func theReadmeTableMatchesTheDeclaredSettings() throws {
        let table = SettingsTable(document: "README.md", text: try SettingsTable.repositoryFile("README.md"), heading: "## Configuration")
        let differences = table.differences(columns: SettingsTable.basicColumns)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test func theConfigurationReferenceMatchesTheDeclaredSettings() throws {
        let text = try SettingsTable.repositoryFile("docs/configuration.md")
        let table = SettingsTable(document: "docs/configuration.md", text: text, heading: "## Settings")
        let differences = table.differences(columns: SettingsTable.referenceColumns)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test func serveHelpListsEverySettingWithItsVariableAndDefault() {
        let help = MeterBridgeSettings.helpText
        for setting in MeterBridgeSettings.all {
            let line = "  \(setting.key), \(setting.environment ?? "no environment variable"), default \(setting.defaultText ?? "none") ("
            #expect(help.contains(line), "serve --help has no line for \(setting.key)")
        }
        #expect(help.contains("  webhook.tolerance, MB_WEBHOOK_TOLERANCE, default 300 (seconds, 1 to 86400)"))
        #expect(help.contains("  stripe.api_key, STRIPE_API_KEY, default none (sk_… or rk_…; secret, never logged)"))
    }

    /// The comparison itself: a table that is wrong in each way is reported in each way.
    @Test func aDisagreeingTableIsReportedRowByRow() {
        let text = """
            ## Configuration

            | Environment | Config key | Default | Meaning |
            |---|---|---|---|
            | `MB_LISTEN` | `listen` | `0.0.0.0:8080` | host:port |
            | `MB_TOLERANCE` | `webhook.tolerance` | `300` | seconds |
            | `MB_DATABASE_URL` | `database_url` | `sqlite:meterbridge.sqlite` | `sqlite:PATH` or `postgres://…?sslmode=disable\\|require` |
            | `MB_COLOUR` | `colour` | — | not a setting |
            """
        let differences = SettingsTable(document: "README.md", text: text, heading: "## Configuration").differences(columns: SettingsTable.basicColumns)
        #expect(differences.contains("README.md: listen: Default says '0.0.0.0:8080', the declared setting says '127.0.0.1:8080'"))
        #expect(differences.contains("README.md: webhook.tolerance: Environment says 'MB_TOLERANCE', the declared setting says 'MB_WEBHOOK_TOLERANCE'"))
        #expect(differences.contains("README.md: row 'colour' is not a declared setting"))
        #expect(differences.contains("README.md: webhook.secrets is declared but has no row"))
        #expect(!differences.contains { $0.hasPrefix("README.md: database_url") })
        let missing = SettingsTable(document: "README.md", text: "# No table here\n", heading: "## Configuration")
        #expect(missing.differences(columns: SettingsTable.basicColumns).first == "README.md: no settings table found")
    }
}
