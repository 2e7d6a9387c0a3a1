import Foundation
import MailroomTestSupport

/// The built `mailroom` executable run as a process with an environment of the test's own.
enum MailroomProcess {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "build the mailroom executable first (swift build)" }
    }

    /// This process's environment without `MAILGUN_*` and `MAILROOM_*`, with `variables` added.
    static func environment(_ variables: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MAILGUN_") && !$0.key.hasPrefix("MAILROOM_") }
        environment.merge(variables) { _, new in new }
        return environment
    }

    /// Runs `mailroom` with `arguments` on a thread of its own (``OwnThread``): waiting on the
    /// concurrency pool would starve the mock server in this process that the child talks to.
    static func run(_ arguments: [String], environment: [String: String], directory: String? = nil) async throws -> Result {
        guard let executable = Executable.besideTests("mailroom") else { throw NotBuilt() }
        return try await OwnThread.run {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.environment = environment
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            let output = Pipe()
            // stderr goes to a file, so that neither pipe can fill up while the other is read.
            let errors = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-\(UUID().uuidString).err")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: errors) }
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: errors)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let stdout = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(status: process.terminationStatus, stdout: Array(stdout), stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
        }
    }
}
