// swift-tools-version: 6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "StreamRec",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "streamrec", targets: ["streamrec"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "StreamEngine", targets: ["StreamEngine"]),
        .library(name: "Recommender", targets: ["Recommender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
            swiftSettings: strictSwift
        ),
        .target(
            name: "Recommender",
            dependencies: ["StreamEngine"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "Worker",
            dependencies: [
                "Kafka", "StreamEngine", "Recommender",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "streamrec",
            dependencies: [
                "Kafka", "StreamEngine", "Recommender", "Worker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "StreamEngine"], swiftSettings: strictSwift),
        .testTarget(name: "StreamEngineTests", dependencies: ["StreamEngine"], swiftSettings: strictSwift),
        .testTarget(name: "RecommenderTests", dependencies: ["Recommender"], swiftSettings: strictSwift),
        .testTarget(name: "CLITests", dependencies: ["streamrec"], swiftSettings: strictSwift),
        .testTarget(
            name: "WorkerTests", dependencies: ["Worker", "Kafka", "Recommender", "StreamEngine"],
            swiftSettings: strictSwift),
    ]
)
