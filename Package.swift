// swift-tools-version: 6.1

import PackageDescription

let package = Package(
    name: "Mailroom",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Mailroom", targets: ["Mailroom"]),
        .library(name: "MailroomMailgun", targets: ["MailroomMailgun"]),
        .library(name: "MailroomTesting", targets: ["MailroomTesting"]),
        .library(name: "MailroomConformance", targets: ["MailroomConformance"]),
        .library(name: "MailroomArchive", targets: ["MailroomArchive"]),
        .library(name: "MailroomSQLite", targets: ["MailroomSQLite"]),
        .library(name: "MailroomHummingbird", targets: ["MailroomHummingbird"]),
        .library(name: "MailroomVapor", targets: ["MailroomVapor"]),
        .library(name: "MailroomPreview", targets: ["MailroomPreview"]),
        .library(name: "MailroomPostgres", targets: ["MailroomPostgres"]),
        .library(name: "MailgunMock", targets: ["MailgunMock"]),
        .executable(name: "mailgun-mock", targets: ["MailgunMockServer"]),
        .executable(name: "mailroom", targets: ["mailroom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.110.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "Mailroom",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "MailroomMailgun",
            dependencies: [
                "Mailroom",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ]
        ),
        .target(
            name: "MailroomTesting",
            dependencies: ["Mailroom", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "MailroomConformance",
            dependencies: ["Mailroom", "MailroomArchive", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "MailroomArchive",
            dependencies: [
                "Mailroom",
                // The index: one SQLite file beside the messages (sqlite-nio), shared with the mirror's code.
                "MailroomSQLite",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The embedded suppression mirror: SQLite (vendored by sqlite-nio), one file, WAL.
        .target(
            name: "MailroomSQLite",
            dependencies: [
                "Mailroom",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Mailroom inside a Hummingbird 2 app: the webhook controller, the error middleware, the
        // mirror as a Service, configuration from swift-configuration (which Hummingbird brings).
        .target(
            name: "MailroomHummingbird",
            dependencies: [
                "Mailroom",
                "MailroomMailgun",
                "MailroomSQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Mailroom inside a Vapor 4 app: `app.mailroom` providers, `req.mailroom`, the webhook
        // routes and the error mapping. Nothing else of ours depends on Vapor.
        .target(
            name: "MailroomVapor",
            dependencies: [
                "Mailroom",
                "MailroomMailgun",
                "MailroomArchive",
                "MailroomSQLite",
                "MailroomTesting",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // Sent mail in the browser: the pages and JSON API of `mailroom preview` as a Hummingbird
        // route collection over any ArchiveStore, which a host app mounts in development.
        .target(
            name: "MailroomPreview",
            dependencies: [
                "Mailroom",
                "MailroomArchive",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The mirror (and, to come, the archive) shared by every instance of an app, on PostgreSQL
        // (vapor/postgres-nio). Nothing else of ours depends on it.
        .target(
            name: "MailroomPostgres",
            dependencies: [
                "Mailroom",
                "MailroomArchive",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MailgunMock",
            dependencies: [
                "Mailroom",
                "MailroomMailgun",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "MailgunMockServer",
            dependencies: [
                "MailgunMock",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Named like its product so that the package plugin can depend on it (a target whose product
        // has another name is not found as a plugin tool).
        .executableTarget(
            name: "mailroom",
            dependencies: [
                "Mailroom",
                "MailroomMailgun",
                "MailroomArchive",
                "MailroomSQLite",
                "MailroomHummingbird",
                "MailroomPreview",
                "MailroomPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // `mailroom alerts apply` reads alerts as code from YAML as well as JSON.
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/MailroomCLI"
        ),
        // `swift package mailroom-archive list`: the archive commands on a directory of the package.
        .plugin(
            name: "MailroomArchivePlugin",
            capability: .command(
                intent: .custom(verb: "mailroom-archive", description: "List, show, export, verify or prune a Mailroom archive in this package.")
            ),
            dependencies: [.target(name: "mailroom")]
        ),
        .executableTarget(
            name: "welcome-email-sample",
            dependencies: ["Mailroom", "MailroomMailgun", "MailroomArchive"],
            path: "Samples/WelcomeEmail"
        ),
        // The signup both sample apps serve, framework-free: the request checked into the welcome
        // email, and the answer.
        .target(
            name: "SignupSample",
            dependencies: ["Mailroom"],
            path: "Samples/Signup"
        ),
        // Samples/HummingbirdApp: the app's code as a library (so its tests can build it), the
        // executable that runs it, and its tests.
        .target(
            name: "HummingbirdSample",
            dependencies: [
                "Mailroom", "MailroomMailgun", "MailroomSQLite", "MailroomArchive", "MailroomHummingbird", "MailroomPreview", "SignupSample",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Samples/HummingbirdApp/App"
        ),
        .executableTarget(
            name: "hummingbird-sample",
            dependencies: [
                "HummingbirdSample",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Samples/HummingbirdApp/Run"
        ),
        // Samples/VaporApp, laid out like the Hummingbird sample.
        .target(
            name: "VaporSample",
            dependencies: [
                "Mailroom", "MailroomMailgun", "MailroomVapor", "SignupSample",
                .product(name: "Vapor", package: "vapor"),
            ],
            path: "Samples/VaporApp/App"
        ),
        .executableTarget(
            name: "vapor-sample",
            dependencies: ["VaporSample", .product(name: "Vapor", package: "vapor"), .product(name: "Logging", package: "swift-log")],
            path: "Samples/VaporApp/Run"
        ),
        // Helpers shared by the test targets: the independent MIME parser (Python's `email`
        // package), PATH lookup, temporary directories, signed webhook fixtures and a loopback
        // webhook server. Not a product.
        .target(
            name: "MailroomTestSupport",
            dependencies: [
                "Mailroom",
                "MailroomTesting",
                "MailroomPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/MailroomTestSupport"
        ),
        .testTarget(
            name: "MailroomTests",
            dependencies: [
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MailroomMailgunTests",
            dependencies: [
                "MailroomMailgun",
                "MailroomTesting",
                "MailroomSQLite",
                "MailgunMock",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "MailroomTestingTests",
            dependencies: [
                "MailroomTesting",
                "MailroomConformance",
                "MailroomMailgun",
                "MailgunMock",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MailroomArchiveTests",
            dependencies: [
                "MailroomArchive",
                "MailroomConformance",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                "MailroomTesting",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MailroomSQLiteTests",
            dependencies: [
                "MailroomSQLite",
                "MailroomConformance",
                "MailroomTesting",
                "MailroomMailgun",
                "MailgunMock",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        .testTarget(
            name: "MailroomHummingbirdTests",
            dependencies: [
                "MailroomHummingbird",
                "MailroomArchive",
                "MailroomPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "MailroomMailgun",
                "MailroomSQLite",
                "MailroomTesting",
                "MailgunMock",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "MailroomPreviewTests",
            dependencies: [
                "MailroomPreview",
                "MailroomArchive",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // A sender the PostgreSQL archive tests run as processes: two at once, killed, or across a
        // server restart.
        .executableTarget(
            name: "archive-load",
            dependencies: [
                "Mailroom",
                "MailroomArchive",
                "MailroomPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ArchiveLoad"
        ),
        .testTarget(
            name: "MailroomPostgresTests",
            dependencies: [
                "MailroomPostgres",
                "MailroomConformance",
                "MailroomTesting",
                "MailroomMailgun",
                "MailgunMock",
                "MailroomTestSupport",
                "Mailroom",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MailroomVaporTests",
            dependencies: [
                "MailroomVapor",
                "MailroomMailgun",
                "MailroomSQLite",
                "MailroomTesting",
                "MailgunMock",
                "Mailroom",
                "MailroomTestSupport",
                "MailroomArchive",
                "MailroomPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "HummingbirdSampleTests",
            dependencies: [
                "HummingbirdSample",
                "MailroomTesting",
                "MailgunMock",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Samples/HummingbirdApp/Tests"
        ),
        .testTarget(
            name: "VaporSampleTests",
            dependencies: [
                "VaporSample",
                "SignupSample",
                "MailroomVapor",
                "MailroomTesting",
                "MailgunMock",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Samples/VaporApp/Tests"
        ),
        .testTarget(
            name: "MailgunMockTests",
            dependencies: [
                "MailgunMock",
                "MailroomMailgun",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "MailroomCLITests",
            dependencies: [
                "mailroom",
                "MailgunMock",
                "MailroomMailgun",
                "MailroomSQLite",
                "MailroomArchive",
                "Mailroom",
                "MailroomTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The settings swift-log and Hummingbird build with: explicit `any`, imports that are only as
// visible as declared, and `public import` written deliberately.
for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}

// libFuzzer targets (`Fuzz/`), added only when MAILROOM_FUZZ=1 so that nobody else builds them:
// `Fuzz/run` builds and runs them. Our libraries are compiled with the fuzzer's coverage and
// AddressSanitizer; the dependencies are not instrumented.
if Context.environment["MAILROOM_FUZZ"] == "1" {
    let sanitizers = ["-sanitize=fuzzer,address"]
    for target in package.targets where ["Mailroom", "MailroomMailgun"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(sanitizers)]
    }
    let fuzzers: [(name: String, folder: String, dependencies: [Target.Dependency])] = [
        ("fuzz-webhook-json", "WebhookJSON", ["Mailroom", "MailroomMailgun"]),
        ("fuzz-webhook-form", "WebhookForm", ["Mailroom", "MailroomMailgun"]),
        ("fuzz-email-address", "EmailAddressParsing", ["Mailroom"]),
        ("fuzz-header-encoding", "HeaderEncoding", ["Mailroom"]),
    ]
    package.targets.append(.target(name: "FuzzerSupport", path: "Fuzz/Support", linkerSettings: [.unsafeFlags(sanitizers)]))
    for fuzzer in fuzzers {
        package.targets.append(.executableTarget(
            name: fuzzer.name,
            dependencies: fuzzer.dependencies + ["FuzzerSupport"],
            path: "Fuzz/\(fuzzer.folder)",
            swiftSettings: [.unsafeFlags(sanitizers)],
            // lld: gold fails on these binaries' debug information.
            linkerSettings: [.unsafeFlags(sanitizers + ["-use-ld=lld"])]
        ))
    }
}
