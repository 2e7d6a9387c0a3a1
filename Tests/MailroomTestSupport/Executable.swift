public import Foundation

/// Finds a program on `PATH`, as a shell would.
public enum Executable {
    /// The first executable called `name` in a `PATH` directory.
    public static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// A product built beside the running test bundle (SwiftPM puts products in one folder).
    public static func besideTests(_ name: String) -> URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs the program `name` from `PATH` with `arguments` and returns its standard output; the
    /// waiting happens on a thread of its own (``OwnThread``).
    ///
    /// - Throws: `ExecutableFailure` when it is missing or exits non-zero.
    public static func run(_ name: String, _ arguments: [String]) async throws -> String {
        try await OwnThread.run { try runBlocking(name, arguments) }
    }

    private static func runBlocking(_ name: String, _ arguments: [String]) throws -> String {
        guard let url = find(name) else { throw ExecutableFailure(message: "\(name) is not on PATH") }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ExecutableFailure(message: "\(name) exited with \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A helper program that could not be run or failed.
public struct ExecutableFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// The message.
    public var description: String { message }

    /// A failure saying `message`.
    public init(message: String) {
        self.message = message
    }
}
