import ArgumentParser
import Foundation
import Logging
import Mailroom

/// Runs a command body so that a Mailroom error becomes one line on stderr and a failing exit
/// status, with nothing written to stdout.
enum CommandLineFailure {
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MailroomError {
            writeError("\(error)")
            throw ExitCode.failure
        } catch let error as BatchSendError {
            writeError("\(error)")
            throw ExitCode.failure
        }
    }

    /// Warnings and errors on stderr; `MAILROOM_LOG_LEVEL=debug` shows every request (never the API key).
    static let logger: Logger = {
        var logger = Logger(label: "mailroom", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = ProcessInfo.processInfo.environment["MAILROOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    /// One `mailroom: …` line on stderr, for what a person should know but a script should not parse.
    static func writeNotice(_ line: String) {
        FileHandle.standardError.write(Data("mailroom: \(line)\n".utf8))
    }

    static func writeError(_ line: String) {
        let flattened = line.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("mailroom: error: \(flattened)\n".utf8))
    }
}
