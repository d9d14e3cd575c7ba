// swift-tools-version: 6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "StreamRec",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "streamrec", targets: ["streamrec"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "StreamEngine", targets: ["StreamEngine"]),
        .library(name: "Recommender", targets: ["Recommender"]),
        .library(name: "Topology", targets: ["Topology"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // SHA-256 of an oversized dead letter's original bytes. 3.12.3 or 4.x: the rest of the graph already
        // resolves 4.x.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The HTTP server's own channel handler (the request-head timeout); both already come with hummingbird.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka", "StreamEngine",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "StreamEngine",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // Events, features, similarity, ranking and learning: plain Swift with no records and no topics.
        .target(
            name: "Recommender",
            dependencies: ["StreamEngine"],
            swiftSettings: strictSwift
        ),
        // The stream topology: the tasks a lane runs, what they emit and where it goes, state coding, the local
        // runners. Knows records and topics, not Kafka.
        .target(
            name: "Topology",
            dependencies: ["Recommender", "StreamEngine", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift
        ),
        // Offline evaluation and workload generators: out of the production library.
        .target(
            name: "Evaluation",
            dependencies: ["Recommender", "Topology", "StreamEngine"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "Serving",
            dependencies: ["StreamEngine", "Recommender", "Topology"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "Worker",
            dependencies: [
                "Kafka", "StreamEngine", "Recommender", "Topology", "Serving",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "Operations",
            dependencies: [
                "Worker", "Serving", "Recommender", "Topology", "StreamEngine",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "streamrec",
            dependencies: [
                "Kafka", "StreamEngine", "Recommender", "Topology", "Evaluation", "Worker", "Operations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // The fuzz targets' checks, and their driver: libFuzzer's entry point under `make fuzz`, a replayer of
        // inputs in a plain build.
        .target(name: "FuzzChecks", dependencies: ["Recommender", "Topology"], swiftSettings: strictSwift),
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "streamrec-fuzz", dependencies: ["FuzzChecks", "CLibFuzzer"], swiftSettings: strictSwift),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "StreamEngine", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift),
        .testTarget(name: "StreamEngineTests", dependencies: ["StreamEngine"], swiftSettings: strictSwift),
        .testTarget(
            name: "RecommenderTests",
            dependencies: ["Recommender", "Evaluation", "StreamEngine", "FuzzChecks"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "TopologyTests",
            dependencies: [
                "Topology", "Recommender", "Evaluation", "StreamEngine", "FuzzChecks",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSwift),
        .testTarget(
            name: "EvaluationTests",
            dependencies: ["Evaluation", "Topology", "Recommender", "StreamEngine"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "ServingTests", dependencies: ["Serving", "Recommender", "Topology", "StreamEngine"],
            swiftSettings: strictSwift),
        // Every module a test file imports is declared, so the package graph says what each suite depends on.
        .testTarget(
            name: "CLITests",
            dependencies: [
                "streamrec", "Kafka", "Operations", "Recommender", "Topology", "Evaluation", "StreamEngine", "Worker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift),
        // The HTTP routes driven through HummingbirdTesting's router framework: no socket, no Kafka.
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "Operations", "Serving", "Recommender", "Topology", "StreamEngine", "Worker",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "Kafka", "Recommender", "Topology", "Evaluation", "StreamEngine",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift),
    ]
)
