import Foundation
import Mailroom
import MailroomArchive
import MailroomMailgun
import MailroomSQLite

/// The mailer `send` and `send-mime` use: Mailgun when `MAILGUN_API_KEY` is set (archiving when
/// `MAILROOM_ARCHIVE_DIR` is), else the local outbox, which delivers nothing; in front of either,
/// the local suppression mirror when `--suppressions-db` or `MAILROOM_SUPPRESSIONS_DB` names one.
struct CommandMailer {
    /// The line to print once the message is stored, when it went to the outbox.
    private let notice: String?
    private let base: any Mailer
    private let suppressionsPath: String?

    init(_ connection: MailgunConnectionOptions, suppressionsDB: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        suppressionsPath = SuppressionsDatabaseLocation.configured(suppressionsDB, environment)
        guard let key = environment["MAILGUN_API_KEY"], !key.isEmpty else {
            let outbox = ArchiveLocation.outbox(environment)
            base = try OutboxMailer(directory: outbox)
            notice = "MAILGUN_API_KEY is not set: kept in the local outbox at \(outbox), not delivered (see `mailroom archive list`)."
            return
        }
        base = try MailgunMailer(configuration: connection.configuration(environment)).archivedFromEnvironment(environment)
        notice = nil
    }

    /// Runs `send` with the mailer, the mirror opened around it when one is configured, then
    /// says on stderr what was left out and where an outbox message went: stdout stays the receipt.
    func sending(_ send: (any Mailer) async throws -> [SendReceipt]) async throws -> [SendReceipt] {
        let receipts: [SendReceipt]
        if let suppressionsPath {
            receipts = try await SQLiteSuppressionStore.withStore(path: suppressionsPath) { store in
                try await send(SuppressingMailer(wrapping: base, store: store))
            }
        } else {
            receipts = try await send(base)
        }
        let skipped = receipts.flatMap(\.suppressed).map(\.mailbox)
        if !skipped.isEmpty {
            CommandLineFailure.writeNotice("skipped \(skipped.count) suppressed recipient\(skipped.count == 1 ? "" : "s"): \(skipped.joined(separator: ", "))")
        }
        if let notice, receipts.contains(where: \.wasSent) { CommandLineFailure.writeNotice(notice) }
        return receipts
    }
}
