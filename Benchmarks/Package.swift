// swift-tools-version: 6.1

import PackageDescription

// Benchmarks live in their own package so that `swift test` on Mailroom never builds the
// benchmark harness. Run them with `swift package benchmark` from this folder.
let package = Package(
    name: "MailroomBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Mailroom", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MIMERendering",
            dependencies: [
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/MIMERendering",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
