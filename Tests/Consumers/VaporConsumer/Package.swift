// swift-tools-version: 6.1

// A Vapor app outside the Mailroom package that depends on MailroomVapor as users do: CI builds it
// in Swift 6 language mode with warnings as errors, so the adapter's public API must be usable under
// strict concurrency without a warning (`.ci/run`).

import PackageDescription

// The Mailroom package is three folders up; a path dependency's identity is its folder's name.
let mailroom = Context.packageDirectory.split(separator: "/").dropLast(3).last.map(String.init) ?? "mailroom"

let package = Package(
    name: "VaporConsumer",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../../.."),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.110.0"),
    ],
    targets: [
        .executableTarget(
            name: "VaporConsumer",
            dependencies: [
                .product(name: "MailroomVapor", package: mailroom),
                .product(name: "Mailroom", package: mailroom),
                .product(name: "Vapor", package: "vapor"),
            ],
            swiftSettings: [.unsafeFlags(["-warnings-as-errors"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
