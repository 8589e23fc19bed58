import Foundation
import MeterBridge
import MeterBridgeTesting
import Testing

/// Config file plus environment into a checked configuration; a wrong setting is named in one line.
struct ConfigurationLoaderTests {
    @Test func defaultsMatchTheSpec() throws {
        let configuration = try ConfigurationLoader.load(environment: [:])
        #expect(configuration.database == .sqlite(path: "meterbridge.sqlite"))
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(configuration.webhook.tolerance == 300)
        #expect(configuration.webhook.bodyLimit == 2_097_152)
        #expect(configuration.webhook.livemode == .any)
        #expect(configuration.stripe.apiBase == "https://api.stripe.com")
        #expect(configuration.stripe.versionLegacy == "2025-02-24.acacia")
        #expect(configuration.stripe.versionMeter == "2025-02-24.acacia")
        #expect(configuration.stripe.rateLimit == 80)
        #expect(configuration.flush.interval == 60)
        #expect(configuration.flush.boundaryLead == 300)
        #expect(configuration.flush.subscriptionGrace == 300)
        #expect(configuration.flush.planningWindow == 300_000)
        #expect(configuration.migration.shadowMeter && configuration.migration.midcycleRereport)
        #expect(configuration.adminToken == nil && configuration.stripe.apiKey == nil && configuration.tls == nil)
    }

    @Test func aYAMLFileIsReadAndTheEnvironmentOverridesIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/meterbridge.yaml"
        try """
            database_url: sqlite:/var/lib/meterbridge/mb.sqlite
            listen: 0.0.0.0:9000
            webhook:
              secrets: [whsec_a, whsec_b]
              tolerance: 120
              livemode: live
            stripe:
              api_key: sk_test_123
              rate_limit: 20
            metrics:
              api_requests:
                product: prod_123
                meter_event_name: api_calls
                aggregation: sum
              seats:
                product: prod_456
                aggregation: last
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader.load(file: file, environment: ["MB_WEBHOOK_TOLERANCE": "60", "MB_LISTEN": "127.0.0.1:8181"])
        #expect(configuration.database == .sqlite(path: "/var/lib/meterbridge/mb.sqlite"))
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8181))
        #expect(configuration.webhook.secrets == ["whsec_a", "whsec_b"])
        #expect(configuration.webhook.tolerance == 60)
        #expect(configuration.webhook.livemode == .live)
        #expect(configuration.stripe.apiKey == "sk_test_123")
        #expect(configuration.stripe.rateLimit == 20)
        #expect(configuration.metrics["api_requests"] == MetricDefinition(product: "prod_123", meterEventName: "api_calls", aggregation: .sum))
        #expect(configuration.metrics["seats"] == MetricDefinition(product: "prod_456", meterEventName: nil, aggregation: .last))
    }

    @Test func aJSONFileWorksToo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/meterbridge.json"
        try #"{"webhook": {"secrets": "whsec_x, whsec_y", "body_limit": 4096}, "admin_token": "t0ken"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader.load(environment: ["MB_CONFIG": file])
        #expect(configuration.webhook.secrets == ["whsec_x", "whsec_y"])
        #expect(configuration.webhook.bodyLimit == 4096)
        #expect(configuration.adminToken == "t0ken")
    }

    @Test func aYAMLListReachesTheParserAsAList() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/meterbridge.yaml"
        // A comma inside a list item stays inside it: the list is never joined into text and split again.
        try "webhook:\n  secrets: ['whsec_a,b', whsec_c]\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.load(file: file, environment: [:]).webhook.secrets == ["whsec_a,b", "whsec_c"])
        // The environment still says a list as comma-separated text, and overrides the file.
        let overridden = try ConfigurationLoader.load(file: file, environment: ["MB_WEBHOOK_SECRETS": "whsec_x, whsec_y"])
        #expect(overridden.webhook.secrets == ["whsec_x", "whsec_y"])
        // A list where one value is expected is named as such, not parsed as the text of its items.
        try "webhook:\n  tolerance: [1, 2]\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(performing: { try ConfigurationLoader.load(file: file, environment: [:]) }, throws: { error in
            "\(error)" == "configuration error: webhook.tolerance (\(file)): expected a single value, found a list"
        })
    }

    @Test func errorLinesNameTheSettingTheSourceAndTheProblem() {
        let cases: [([String: String], String)] = [
            (["MB_WEBHOOK_TOLERANCE": "abc"], "configuration error: webhook.tolerance (MB_WEBHOOK_TOLERANCE): expected a whole number from 1 to 86400, got 'abc'"),
            (["MB_LIVEMODE": "production"], "configuration error: webhook.livemode (MB_LIVEMODE): expected one of live, test, any, got 'production'"),
            (["MB_SHADOW_METER": "maybe"], "configuration error: migration.shadow_meter (MB_SHADOW_METER): expected true or false, got 'maybe'"),
            (["MB_TLS_KEY": "/tmp/key.pem"], "configuration error: tls.cert: tls.key is set but tls.cert is not; set both for HTTPS (MB_TLS_CERT, MB_TLS_KEY)"),
            (["MB_STRIPE_API_BASE": "ftp://x"], "configuration error: stripe.api_base (MB_STRIPE_API_BASE): expected an http:// or https:// URL, got 'ftp://x'"),
        ]
        for (environment, line) in cases {
            #expect(performing: { try ConfigurationLoader.load(environment: environment) }, throws: { "\($0)" == line })
        }
    }

    @Test(arguments: [
        (["MB_WEBHOOK_TOLERANCE": "abc"], "webhook.tolerance", "MB_WEBHOOK_TOLERANCE"),
        (["MB_BODY_LIMIT": "-1"], "webhook.body_limit", "MB_BODY_LIMIT"),
        (["MB_LIVEMODE": "production"], "webhook.livemode", "MB_LIVEMODE"),
        (["MB_LISTEN": "8080"], "listen", "MB_LISTEN"),
        (["MB_DATABASE_URL": "mysql://x"], "database_url", "MB_DATABASE_URL"),
        (["MB_WEBHOOK_SECRETS": "not-a-secret"], "webhook.secrets", "MB_WEBHOOK_SECRETS"),
        (["STRIPE_API_KEY": "pk_live_123"], "stripe.api_key", "STRIPE_API_KEY"),
        (["MB_RATE_LIMIT": "0"], "stripe.rate_limit", "MB_RATE_LIMIT"),
        (["MB_SUBSCRIPTION_GRACE": "-5"], "flush.subscription_grace", "MB_SUBSCRIPTION_GRACE"),
        (["MB_PLANNING_WINDOW": "0"], "flush.planning_window", "MB_PLANNING_WINDOW"),
        (["MB_SHADOW_METER": "maybe"], "migration.shadow_meter", "MB_SHADOW_METER"),
        (["MB_STRIPE_VERSION_LEGACY": "acacia"], "stripe.version_legacy", "MB_STRIPE_VERSION_LEGACY"),
        (["MB_STRIPE_VERSION_LEGACY": "2025-03-31.basil"], "stripe.version_legacy", "MB_STRIPE_VERSION_LEGACY"),
        (["MB_TLS_CERT": "/tmp/cert.pem"], "tls.key", nil),
    ] as [([String: String], String, String?)])
    func aWrongSettingIsNamedWithItsSource(environment: [String: String], key: String, source: String?) {
        #expect(performing: { try ConfigurationLoader.load(environment: environment) }, throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == key && error.source == source && !error.description.contains("\n")
        })
    }

    @Test func secretsNeverAppearInErrors() {
        #expect(performing: { try ConfigurationLoader.load(environment: ["MB_WEBHOOK_SECRETS": "whsec_ok,sk_live_leaked"]) }, throws: { error in
            "\(error)".contains("webhook.secrets") && !"\(error)".contains("sk_live_leaked")
        })
    }

    @Test func unknownKeysAndBrokenFilesAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/bad.yaml"
        try "webhook:\n  secret: whsec_typo\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(performing: { try ConfigurationLoader.load(file: file, environment: [:]) }, throws: { ($0 as? ConfigurationError)?.key == "webhook.secret" })
        try "metrics:\n  api_requests:\n    aggregation: sum\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(performing: { try ConfigurationLoader.load(file: file, environment: [:]) }, throws: { ($0 as? ConfigurationError)?.key == "metrics.api_requests.product" })
        try "webhook: [unclosed\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(performing: { try ConfigurationLoader.load(file: file, environment: [:]) }, throws: { ($0 as? ConfigurationError)?.key == "config" })
        #expect(performing: { try ConfigurationLoader.load(file: directory.path + "/missing.yaml", environment: [:]) }, throws: { ($0 as? ConfigurationError)?.key == "config" })
    }

    @Test func passwordsAreHiddenWhenTheDatabaseIsLogged() {
        #expect(DatabaseLocation.postgres(url: "postgres://mb:s3cret@db:5432/mb").description == "postgres://mb:***@db:5432/mb")
    }
}
