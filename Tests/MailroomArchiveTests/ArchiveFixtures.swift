import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomConformance
import MailroomTestSupport

/// Messages, clocks and tools shared by the archive tests.
enum ArchiveFixtures {
    static let logger = Logger(label: "archive-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The archive conformance suite's message, to `recipient`.
    static func email(to recipient: String = "Zoë <zoe@example.com>", subject: String = "Welcome, Zoë", tags: [String] = ["welcome"]) throws -> Email {
        ArchiveConformance.email(to: try EmailAddress(recipient), subject: subject, tags: tags)
    }

    static func store(_ directory: TemporaryDirectory, clock: ConformanceClock? = nil, level: Int = 6) throws -> FileArchiveStore {
        let now: @Sendable () -> Date
        if let clock { now = { clock.now } } else { now = { Date() } }
        return try FileArchiveStore(directory: directory.path, configuration: .init(compressionLevel: level, now: now))
    }

    /// Every file under `directory`, relative, sorted.
    static func files(in directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? [])
            .filter { name in
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
                return exists && !isDirectory.boolValue
            }
            .sorted()
    }

    /// The path of an entry's message file.
    static func messagePath(_ entry: ArchiveEntry, in directory: TemporaryDirectory) -> String {
        ArchiveFiles.messagePath(id: entry.id, in: directory.path)
    }

    static func gunzip(_ path: String) async throws -> [UInt8] {
        try await ArchiveFiles.gunzip(path)
    }
}
