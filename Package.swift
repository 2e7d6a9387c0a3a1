// swift-tools-version: 6.1

import PackageDescription

let package = Package(
    name: "Mailroom",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Mailroom", targets: ["Mailroom"]),
        .executable(name: "mailroom", targets: ["MailroomCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "Mailroom",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "MailroomCLI",
            dependencies: [
                "Mailroom",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "welcome-email-sample",
            dependencies: ["Mailroom", .product(name: "Logging", package: "swift-log")],
            path: "Samples/WelcomeEmail"
        ),
        // Helpers shared by the test targets: the independent MIME parser (Python's `email`
        // package), PATH lookup and temporary directories. Not a product.
        .target(
            name: "MailroomTestSupport",
            dependencies: ["Mailroom"],
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
            name: "MailroomCLITests",
            dependencies: [
                "MailroomCLI",
                "Mailroom",
                "MailroomTestSupport",
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
