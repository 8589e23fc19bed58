// swift-tools-version:6.2
import PackageDescription

// One settings block for every target, as Hummingbird does: Swift 6 language mode plus the
// upcoming features that keep imports and existentials explicit.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "meterbridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meterbridge", targets: ["meterbridge"]),
        .library(name: "BillingCore", targets: ["BillingCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The system's libcrypto (libssl-dev): HMAC-SHA256 and CRYPTO_memcmp for webhook signatures.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // The system's SQLite (libsqlite3-dev): the embedded default store.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // A SQLite VFS that writes a commit's WAL frames in a few large writes: the store's writer connection uses it.
        .target(
            name: "CSQLiteWALBuffer",
            dependencies: ["CSQLite"]
        ),
        // Pure core: no I/O and no clock reads. Decoding, signatures, state machine, aggregation.
        .target(
            name: "BillingCore",
            dependencies: ["COpenSSL"],
            swiftSettings: swiftSettings
        ),
        // The machine's wall clock behind BillingCore's `UnixClock`, kept out of the core so the core reads no clock.
        .target(
            name: "SystemClock",
            dependencies: ["BillingCore"],
            swiftSettings: swiftSettings
        ),
        // The primitives every test target shares: a manual `UnixClock` and a seeded generator.
        // Only BillingCore below it, so BillingCoreTests can use it without Hummingbird or NIO.
        .target(
            name: "TestPrimitives",
            dependencies: ["BillingCore"],
            swiftSettings: swiftSettings
        ),
        // Builders of realistic Stripe event documents in both API shapes: for tests, the demo and load scripts.
        .target(
            name: "StripeEventBuilders",
            dependencies: ["BillingCore"],
            swiftSettings: swiftSettings
        ),
        // Durable storage: the inbox, derived state and usage ledger on SQLite.
        .target(
            name: "BillingStore",
            dependencies: [
                "BillingCore",
                "CSQLite",
                "CSQLiteWALBuffer",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL store, for several instances sharing the work: the same protocols as SQLite, plus leases.
        // Its own target, so postgres-nio (and swift-crypto under it) builds only where a store is opened.
        .target(
            name: "PostgresStore",
            dependencies: [
                "BillingCore",
                "BillingStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The application: HTTP routes, services, configuration and the composition root.
        .target(
            name: "MeterBridge",
            dependencies: [
                "BillingCore",
                "BillingStore",
                "StripeAPI",
                "SystemClock",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // A loopback Stripe API double, as strict as Stripe for the calls meterbridge makes: tests and `demo`.
        .target(
            name: "StripeDouble",
            dependencies: [
                "BillingCore",
                "StripeEventBuilders",
                "SystemClock",
                "TestPrimitives",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The outbound Stripe client: usage records, meter events, summaries; rate limit, retries, idempotency.
        .target(
            name: "StripeAPI",
            dependencies: [
                "BillingCore",
                "SystemClock",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by tests, the demo and the developer commands: signed-event builder, fixtures.
        .target(
            name: "MeterBridgeTesting",
            dependencies: [
                "BillingCore",
                "StripeEventBuilders",
                "MeterBridge",
                "StripeAPI",
                "StripeDouble",
                "TestPrimitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `meterbridge` command: @main and one small file per subcommand.
        .executableTarget(
            name: "meterbridge",
            dependencies: [
                "BillingCore",
                "BillingStore",
                "MeterBridge",
                "MeterBridgeTesting",
                "PostgresStore",
                "StripeDouble",
                "SystemClock",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BillingCoreTests",
            dependencies: ["BillingCore", "StripeEventBuilders", "TestPrimitives"],
            resources: [.copy("Fixtures"), .copy("Vectors")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TestPrimitivesTests",
            dependencies: ["BillingCore", "TestPrimitives"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BillingStoreTests",
            dependencies: [
                "BillingCore",
                "BillingStore",
                "MeterBridgeTesting",
                "PostgresStore",
                "TestPrimitives",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StripeDoubleTests",
            dependencies: [
                "BillingCore",
                "StripeDouble",
                "StripeEventBuilders",
                "TestPrimitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StripeAPITests",
            dependencies: [
                "BillingCore",
                "StripeAPI",
                "StripeDouble",
                "SystemClock",
                "TestPrimitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MeterBridgeTests",
            dependencies: [
                "BillingCore",
                "StripeAPI",
                "StripeDouble",
                "StripeEventBuilders",
                "BillingStore",
                "MeterBridge",
                "MeterBridgeTesting",
                "TestPrimitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
