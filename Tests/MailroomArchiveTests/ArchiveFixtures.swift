import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomConformance
import MailroomTestSupport

/// Messages, clocks and tools shared by the archive tests.
enum ArchiveFixtures {
    static let logger = Logger(label: "archive-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A message with Unicode, an HTML alternative and an attachment.
    static func email(to recipient: String = "Zoë <zoe@example.com>", subject: String = "Welcome, Zoë", tags: [String] = ["welcome"]) throws -> Email {
        var email = Email(from: "Acme <hello@acme.test>", to: [try EmailAddress(recipient)], subject: subject)
        email.cc = ["ops@acme.test"]
        email.bcc = ["Audit@Acme.test"]
        email.text = "Hello from Mailroom.\nÇa va?"
        email.html = "<p>Hello from <b>Mailroom</b>.</p>"
        email.attachments = [.bytes(Array("id,total\n1,9.99\n".utf8), filename: "invoice.csv", contentType: "text/csv")]
        email.options.tags = tags
        return email
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
