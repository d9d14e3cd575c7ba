// swift-tools-version: 6.1
// Micro-benchmarks of StreamRec's hot paths (ordo-one/benchmark): `swift package benchmark` here, or `make microbench`
// at the root. A package of its own so the root package's build and CI never compile the benchmark framework.
import Foundation
import PackageDescription

// A path dependency is named by its folder, which is the clone's (streamrec, main, a worktree's name).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "StreamRecBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Recommender", package: root),
                .product(name: "Topology", package: root),
                .product(name: "Evaluation", package: root),
                .product(name: "StreamEngine", package: root),
            ],
            path: "Benchmarks/HotPaths",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
