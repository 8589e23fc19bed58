// swift-tools-version:6.1
// Microbenchmarks, kept in their own package so they never slow `swift test`. Run: `make bench`.
import PackageDescription

let package = Package(
    name: "meterbridge-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The project's own modules, by symlink: benchmarks build only the code they measure,
        // without resolving the service's dependencies, and whatever the checkout's folder is called.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),
        .target(name: "BillingCore", dependencies: ["COpenSSL"], path: "Sources/BillingCore", swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "SignatureBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BillingCore",
            ],
            path: "Benchmarks/SignatureBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StateMachineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BillingCore",
            ],
            path: "Benchmarks/StateMachineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
