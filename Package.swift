// swift-tools-version:6.1
import PackageDescription

/// Settings applied to every target, as Hummingbird and swift-nio do.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "tandem",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tandem", targets: ["tandem"]),
        .library(name: "Telephony", targets: ["Telephony"]),
        .library(name: "Timekeeping", targets: ["Timekeeping"]),
        .library(name: "SIP", targets: ["SIP"]),
        .library(name: "TransportSecurity", targets: ["TransportSecurity"]),
        .library(name: "Routing", targets: ["Routing"]),
        .library(name: "Identity", targets: ["Identity"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Observability", targets: ["Observability"]),
        .library(name: "Guard", targets: ["Guard"]),
        .library(name: "Rating", targets: ["Rating"]),
        .library(name: "CallRecords", targets: ["CallRecords"]),
        .library(name: "Platform", targets: ["Platform"]),
        .library(name: "Accounts", targets: ["Accounts"]),
        .library(name: "NetworkData", targets: ["NetworkData"]),
        .library(name: "Emergency", targets: ["Emergency"]),
        .library(name: "Inventory", targets: ["Inventory"]),
        .library(name: "Webhooks", targets: ["Webhooks"]),
        .library(name: "Porting", targets: ["Porting"]),
        .library(name: "RoutingFeed", targets: ["RoutingFeed"]),
        .library(name: "Schema", targets: ["Schema"]),
        .library(name: "API", targets: ["API"]),
    ],
    dependencies: [
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The pure cores: no module of ours below them.
        .target(
            name: "Telephony",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Timekeeping",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SIP",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TransportSecurity",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Cores over the numbering types, and the kernel's store and metrics.
        .target(
            name: "Routing",
            dependencies: [
                "Telephony",
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Identity",
            dependencies: [
                "Timekeeping",
                "Telephony",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Store",
            dependencies: [
                "Timekeeping",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Observability",
            dependencies: [
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Call admission and rating over routing; the kernel every service shares.
        .target(
            name: "Guard",
            dependencies: ["Routing", "Telephony"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Rating",
            dependencies: ["Routing", "Telephony", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Platform",
            dependencies: [
                "Store",
                "Timekeeping",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        // The owners of the tables, each over the ones before it.
        .target(
            name: "Accounts",
            dependencies: [
                "Platform",
                "Store",
                "Timekeeping",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        // Call records: the switches' CDRs read, rated and stored.
        .target(
            name: "CallRecords",
            dependencies: [
                "Platform",
                "Rating",
                "Routing",
                "Store",
                "Telephony",
                "Timekeeping",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NetworkData",
            dependencies: [
                "Accounts",
                "Platform",
                "Routing",
                "Store",
                "Telephony",
                "Timekeeping",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Emergency",
            dependencies: [
                "Accounts",
                "Platform",
                "Store",
                "Telephony",
                "Timekeeping",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Inventory",
            dependencies: [
                "Accounts",
                "NetworkData",
                "Platform",
                "Timekeeping",
                "Emergency",
                "Routing",
                "Telephony",
                "Store",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Webhooks",
            dependencies: [
                "Accounts",
                "Platform",
                "Timekeeping",
                "Routing",
                "Store",
                "Telephony",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Porting",
            dependencies: [
                "Accounts",
                "Emergency",
                "NetworkData",
                "Platform",
                "Timekeeping",
                "Inventory",
                "Store",
                "Telephony",
                "Webhooks",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        // The routing feed: the one reader of every owner's tables.
        .target(
            name: "RoutingFeed",
            dependencies: [
                "Accounts",
                "Inventory",
                "NetworkData",
                "Observability",
                "Platform",
                "Routing",
                "Store",
                "Telephony",
                "Timekeeping",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The schema, the edges and the demo.
        .target(
            name: "Schema",
            dependencies: [
                "Accounts", "CallRecords", "Emergency", "Inventory", "NetworkData", "Platform", "Porting", "RoutingFeed", "Store",
                "Webhooks",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SIPServer",
            dependencies: [
                "Timekeeping",
                "Guard",
                "Identity",
                "Observability",
                "Rating",
                "Routing",
                "SIP",
                "Telephony",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "API",
            dependencies: [
                "Accounts",
                "CallRecords",
                "Rating",
                "NetworkData",
                "Platform",
                "Timekeeping",
                "Porting",
                "Webhooks",
                "Emergency",
                "Inventory",
                "RoutingFeed",
                "Observability",
                "Routing",
                "Store",
                "Telephony",
                "Guard",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Demo",
            dependencies: [
                "Accounts",
                "Emergency",
                "Inventory",
                "NetworkData",
                "Platform",
                "Porting",
                "Store",
                "Telephony",
                "Timekeeping",
            ],
            swiftSettings: swiftSettings
        ),
        // The executable: the one place that wires everything.
        .executableTarget(
            name: "tandem",
            dependencies: [
                "Accounts",
                "Demo",
                "Guard",
                "NetworkData",
                "Schema",
                "Platform",
                "Timekeeping",
                "Porting",
                "Rating",
                "CallRecords",
                "Webhooks",
                "API",
                "Identity",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                "Observability",
                "Routing",
                "SIPServer",
                "Inventory",
                "RoutingFeed",
                "Store",
                "Telephony",
                "TransportSecurity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        // Tests: the shared fixtures, then one target per module.
        .target(
            name: "TestSupport",
            dependencies: [
                "Accounts",
                "NetworkData",
                "Schema",
                "Platform",
                "Timekeeping",
                "Porting",
                "Emergency",
                "Inventory",
                "Store",
                "Telephony",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArchitectureTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PortingTests",
            dependencies: [
                "Accounts",
                "NetworkData",
                "Platform",
                "Timekeeping",
                "Inventory",
                "RoutingFeed",
                "Porting",
                "Routing",
                "Store",
                "Telephony",
                "TestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IdentityTests",
            dependencies: [
                "Timekeeping",
                "Identity",
                "Telephony",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebhooksTests",
            dependencies: [
                "Timekeeping",
                "Accounts", "Inventory", "NetworkData", "Platform", "Porting", "Routing", "Store", "Telephony", "TestSupport",
                "Webhooks",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmergencyTests",
            dependencies: ["Emergency"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GuardTests",
            dependencies: ["Guard", "Routing", "Telephony"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RatingTests",
            dependencies: ["Rating", "Routing", "Telephony", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CallRecordsTests",
            dependencies: [
                "CallRecords", "Platform", "Rating", "Routing", "Store", "Telephony", "TestSupport", "Timekeeping",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelephonyTests",
            dependencies: ["Telephony"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RoutingTests",
            dependencies: ["Timekeeping", "Routing", "Telephony"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SIPTests",
            dependencies: [
                "SIP",
                "Telephony",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SIPServerTests",
            dependencies: [
                "Rating",
                "TestSupport",
                "Guard",
                "Timekeeping",
                "Identity",
                "Observability",
                "Routing",
                "SIP",
                "SIPServer",
                "Telephony",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Platform",
                "Timekeeping",
                "Schema", "Store", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InventoryTests",
            dependencies: [
                "Accounts",
                "NetworkData",
                "Schema",
                "Platform",
                "Timekeeping",
                "Emergency",
                "Inventory", "RoutingFeed", "Observability", "Routing", "Store", "Telephony", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TransportSecurityTests",
            dependencies: [
                "TestSupport",
                "TransportSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "Accounts",
                "CallRecords",
                "Guard",
                .product(name: "CompressNIO", package: "compress-nio"),
                "Rating",
                .product(name: "Crypto", package: "swift-crypto"),
                "NetworkData",
                "Platform",
                "Timekeeping",
                "Porting",
                "Webhooks",
                "API",
                "Inventory",
                "RoutingFeed",
                "Observability",
                "Routing",
                "Store",
                "Telephony",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
