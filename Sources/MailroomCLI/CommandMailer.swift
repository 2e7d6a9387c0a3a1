import Foundation
import Mailroom
import MailroomArchive
import MailroomMailgun

/// The mailer `send` and `send-mime` use: Mailgun when `MAILGUN_API_KEY` is set (archiving when
/// `MAILROOM_ARCHIVE_DIR` is), else the local outbox, which delivers nothing.
struct CommandMailer {
    let mailer: any Mailer
    /// The line to print once the message is stored, when it went to the outbox.
    let notice: String?

    init(_ connection: MailgunConnectionOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let key = environment["MAILGUN_API_KEY"], !key.isEmpty else {
            let outbox = ArchiveLocation.outbox(environment)
            mailer = try OutboxMailer(directory: outbox)
            notice = "MAILGUN_API_KEY is not set: kept in the local outbox at \(outbox), not delivered (see `mailroom archive list`)."
            return
        }
        mailer = try MailgunMailer(configuration: connection.configuration(environment)).archivedFromEnvironment(environment)
        notice = nil
    }

    /// Prints the outbox notice, if any, on stderr: stdout stays the receipt, for scripts.
    func announce() {
        if let notice { FileHandle.standardError.write(Data("mailroom: \(notice)\n".utf8)) }
    }
}
