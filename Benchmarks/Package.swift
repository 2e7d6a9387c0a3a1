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
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "MIMERendering",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/MIMERendering",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MailgunSending",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "MailroomMailgun", package: "Mailroom"),
                .product(name: "MailgunMock", package: "Mailroom"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/MailgunSending",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Archiving",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "MailroomArchive", package: "Mailroom"),
                .product(name: "MailroomTesting", package: "Mailroom"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/Archiving",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SuppressionMirror",
            dependencies: [
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "MailroomMailgun", package: "Mailroom"),
                .product(name: "MailroomSQLite", package: "Mailroom"),
                .product(name: "MailroomHummingbird", package: "Mailroom"),
                .product(name: "MailgunMock", package: "Mailroom"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/SuppressionMirror",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Not an ordo-one benchmark: it prints raw AsyncHTTPClient and MailgunMailer side by side
        // with their ratios (see the file).
        .executableTarget(
            name: "SendPath",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "MailroomMailgun", package: "Mailroom"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/SendPath"
        ),
        // Not an ordo-one benchmark: archived and unarchived sends side by side, flush counts and
        // queries at scale (see the file).
        .executableTarget(
            name: "ArchivePath",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "MailroomMailgun", package: "Mailroom"),
                .product(name: "MailroomArchive", package: "Mailroom"),
                .product(name: "MailroomPostgres", package: "Mailroom"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/ArchivePath"
        ),
        // Not an ordo-one benchmark: the preview's pages over a large archive, timed over loopback.
        .executableTarget(
            name: "PreviewPages",
            dependencies: [
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "MailroomArchive", package: "Mailroom"),
                .product(name: "MailroomPreview", package: "Mailroom"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/PreviewPages"
        ),
        // Not an ordo-one benchmark: a send's batch look-up on the PostgreSQL and SQLite mirrors.
        .executableTarget(
            name: "SuppressionLookup",
            dependencies: [
                .product(name: "Mailroom", package: "Mailroom"),
                .product(name: "MailroomPostgres", package: "Mailroom"),
                .product(name: "MailroomSQLite", package: "Mailroom"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/SuppressionLookup"
        ),
    ],
    swiftLanguageModes: [.v6]
)
