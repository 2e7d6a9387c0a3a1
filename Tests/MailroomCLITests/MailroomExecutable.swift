import Foundation
import MailroomTestSupport

/// Runs the built `mailroom` executable, as a user would, capturing stdout, stderr and the status.
struct MailroomExecutable {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    /// The executable built beside this test bundle.
    static func locate() throws -> URL {
        guard let url = Executable.besideTests("mailroom") else { throw NotBuilt() }
        return url
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "the mailroom executable was not found beside the test bundle; run `swift build` first" }
    }

    /// Runs `mailroom` with `arguments`; `environment` replaces the `MAILGUN_*` and `MAILROOM_*`
    /// variables; `directory` is the working directory (default: this process's); `input` is
    /// written to its standard input (default: none, an empty input).
    ///
    /// The waiting happens on a thread of its own (``OwnThread``): blocking the concurrency pool
    /// would starve a mock server running in this process, which answers the child on that pool.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil, input: String? = nil) async throws -> Result {
        try await OwnThread.run { try runBlocking(arguments, environment: environment, directory: directory, input: input) }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String], directory: String?, input: String?) throws -> Result {
        let process = try makeProcess(arguments, environment: environment, directory: directory)
        let output = Pipe()
        let errors = Pipe()
        let standardInput = input.map { _ in Pipe() }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = standardInput ?? FileHandle.nullDevice
        try process.run()
        if let input, let standardInput {
            // Small inputs only: the pipe's buffer takes them without the child reading first.
            standardInput.fileHandleForWriting.write(Data(input.utf8))
            try standardInput.fileHandleForWriting.close()
        }
        // Drain stderr on another thread so neither pipe can fill up and block the child.
        let errorData = ErrorBuffer()
        let reader = Thread { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1_000) }
        return Result(status: process.terminationStatus, stdout: Array(stdout), stderr: String(decoding: errorData.get(), as: UTF8.self))
    }
}

extension MailroomExecutable {
    /// A `mailroom` process, not started, with the test's environment rules applied.
    static func makeProcess(_ arguments: [String], environment: [String: String], directory: String?) throws -> Process {
        let process = Process()
        process.executableURL = try locate()
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MAILGUN_") && !$0.key.hasPrefix("MAILROOM_") }
        variables.merge(environment) { _, new in new }
        process.environment = variables
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        return process
    }
}

/// The stderr bytes handed from the reading thread.
final class ErrorBuffer: @unchecked Sendable {
    // A lock-guarded box: written once by the reader thread, read by the test after it finishes.
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data ?? Data() } }
    var isSet: Bool { lock.withLock { data != nil } }
}
