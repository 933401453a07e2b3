// swift-tools-version:6.1
import PackageDescription

/// Tandem's benchmarks, in a package of their own so that the main build stays light (as swift-nio and
/// Hummingbird do). Run with `swift package benchmark` from this folder.
let package = Package(
    name: "TandemBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tandem", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "RoutingBenchmarks",
            dependencies: [
                "RoutingFixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Routing", package: "tandem"),
                .product(name: "Telephony", package: "tandem"),
            ],
            path: "Benchmarks/RoutingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The same calls without the benchmark harness, for instruction counts under callgrind.
        .executableTarget(
            name: "RoutingInstructionCount",
            dependencies: ["RoutingFixtures", .product(name: "Routing", package: "tandem")],
            path: "Benchmarks/RoutingInstructionCount"
        ),
        .target(
            name: "RoutingFixtures",
            dependencies: [.product(name: "Routing", package: "tandem"), .product(name: "Telephony", package: "tandem")],
            path: "Benchmarks/RoutingFixtures"
        ),
        .executableTarget(
            name: "RatingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Rating", package: "tandem"),
                .product(name: "Routing", package: "tandem"),
                .product(name: "Telephony", package: "tandem"),
            ],
            path: "Benchmarks/RatingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IdentityBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Identity", package: "tandem"),
                .product(name: "Routing", package: "tandem"),
                .product(name: "Telephony", package: "tandem"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/IdentityBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
