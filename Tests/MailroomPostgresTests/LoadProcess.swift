import Foundation
import MailroomTestSupport

/// An `archive-load` process (Tests/ArchiveLoad): started, its output read as it goes, killed or
/// waited for. Every wait happens on a thread of its own (``OwnThread``).
final class LoadProcess: @unchecked Sendable {
    // Unchecked: the process and the output are touched by one waiting thread at a time, each
    // wait awaited before the next.
    private let process = Process()
    private let output = Pipe()
    private let input = Pipe()
    private var received = ""

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "build the archive-load executable first (swift build)" }
    }

    /// Starts `archive-load` with `arguments`.
    init(_ arguments: [String]) throws {
        guard let executable = Executable.besideTests("archive-load") else { throw NotBuilt() }
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The complete lines printed so far.
    var lines: [String] { received.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// Reads until `enough` holds for the lines read so far, or the process closes its output.
    func read(until enough: @escaping @Sendable ([String]) -> Bool) async throws {
        try await OwnThread.run { [self] in
            while !enough(lines) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { return }
                received += String(decoding: chunk, as: UTF8.self)
            }
        }
    }

    /// Reads the rest of the output and waits for the process to end.
    func finish() async throws {
        try await OwnThread.run { [self] in
            received += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
        }
    }

    /// Closes its standard input: started with `--until-stdin-closes`, it starts no more sends.
    func stopSending() throws {
        try input.fileHandleForWriting.close()
    }

    /// Kills it with SIGKILL, mid-burst.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
    }

    var terminationReason: Process.TerminationReason { process.terminationReason }
    var terminationStatus: Int32 { process.terminationStatus }

    /// The subjects of the lines that start with `word`, e.g. `sent`.
    func subjects(_ word: String) -> [String] {
        lines.filter { $0.hasPrefix(word + " ") }.map { String($0.split(separator: " ")[1]) }
    }
}
