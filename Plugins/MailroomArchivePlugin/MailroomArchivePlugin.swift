import Foundation
import PackagePlugin

/// `swift package mailroom-archive list|show|export|verify|prune …`: runs `mailroom archive` on an
/// archive inside this package, by default the local outbox `.mailroom/outbox` that `mailroom send`
/// fills when no Mailgun key is set.
///
/// The store is `--dir` (relative to the package), else a PostgreSQL archive (`--archive-url`,
/// `MAILROOM_ARCHIVE_URL`), else `MAILROOM_ARCHIVE_DIR`, else `MAILROOM_OUTBOX`, else `.mailroom/outbox`. Every verb writes to the store's directory (the
/// SQLite index's shared-memory file, even to read), which the macOS sandbox allows only with
/// `swift package --disable-sandbox`.
@main
struct MailroomArchivePlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let tool = try context.tool(named: "mailroom")
        let package = context.package.directoryURL
        let process = Process()
        process.executableURL = tool.url
        process.arguments = ["archive"] + Self.withDirectory(arguments, package: package)
        process.currentDirectoryURL = package
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Failure(status: process.terminationStatus)
        }
    }

    /// The arguments with `--dir` made absolute within the package, or added when missing.
    static func withDirectory(_ arguments: [String], package: URL) -> [String] {
        guard let verb = arguments.first, !verb.hasPrefix("-") else { return arguments }  // `--help` and the like
        var result: [String] = []
        var sawDirectory = false
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--dir", index + 1 < arguments.endIndex {
                result += ["--dir", resolve(arguments[index + 1], in: package)]
                sawDirectory = true
                index += 2
                continue
            }
            if argument.hasPrefix("--dir=") {
                result += ["--dir", resolve(String(argument.dropFirst(6)), in: package)]
                sawDirectory = true
            } else {
                result.append(argument)
            }
            index += 1
        }
        let environment = ProcessInfo.processInfo.environment
        // A PostgreSQL archive (`--archive-url`, `MAILROOM_ARCHIVE_URL`) is no directory of the package.
        let namesDatabase = arguments.contains { $0 == "--archive-url" || $0.hasPrefix("--archive-url=") }
            || !(environment["MAILROOM_ARCHIVE_URL"] ?? "").isEmpty
        if !sawDirectory && !namesDatabase {
            let directory = [environment["MAILROOM_ARCHIVE_DIR"], environment["MAILROOM_OUTBOX"]]
                .compactMap { $0 }
                .first { !$0.isEmpty } ?? ".mailroom/outbox"
            result += ["--dir", resolve(directory, in: package)]
        }
        return result
    }

    private static func resolve(_ path: String, in package: URL) -> String {
        path.hasPrefix("/") ? path : package.appendingPathComponent(path).path
    }

    struct Failure: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "mailroom archive exited with status \(status)" }
    }
}
