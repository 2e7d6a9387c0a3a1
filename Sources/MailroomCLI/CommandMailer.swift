import Foundation
import Mailroom
import MailroomArchive
import MailroomMailgun
import MailroomPostgres
import MailroomSQLite

/// The mailer `send` and `send-mime` use: Mailgun when `MAILGUN_API_KEY` is set, else the local
/// outbox, which delivers nothing. With a PostgreSQL archive (`--archive-url` or
/// `MAILROOM_ARCHIVE_URL`) Mailgun's sends are archived there and outbox messages are kept there;
/// otherwise Mailgun's sends are archived in `MAILROOM_ARCHIVE_DIR` when it is set and the outbox
/// is a directory. In front of either, the local suppression mirror when `--suppressions-db` or
/// `MAILROOM_SUPPRESSIONS_DB` names one.
struct CommandMailer {
    /// Where a message goes.
    private enum Route {
        /// Kept in the archive's outbox, not delivered.
        case outbox(ArchiveTarget)
        /// Sent through the mailer and archived in the PostgreSQL archive.
        case archived(any Mailer, ArchiveTarget)
        /// Sent through the mailer (which archives in a directory when one is configured).
        case direct(any Mailer)
    }

    private let route: Route
    private let environment: [String: String]
    private let suppressionsPath: String?

    init(
        _ connection: MailgunConnectionOptions,
        suppressionsDB: String?,
        archiveURL: String? = nil,
        archiveSchema: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        self.environment = environment
        suppressionsPath = SuppressionsDatabaseLocation.configured(suppressionsDB, environment)
        let configured = try ArchiveTarget.configured(url: archiveURL, directory: nil, schema: archiveSchema, environment: environment)
        let postgres: ArchiveTarget? = if case .postgres = configured { configured } else { nil }
        guard let key = environment["MAILGUN_API_KEY"], !key.isEmpty else {
            route = .outbox(postgres ?? .directory(ArchiveLocation.outbox(environment)))
            return
        }
        let mailgun = MailgunMailer(configuration: try connection.configuration(environment))
        if let postgres {
            route = .archived(mailgun, postgres)
        } else {
            // A directory archive wraps the mailer here, as an app's one line does.
            route = .direct(try mailgun.archivedFromEnvironment(environment))
        }
    }

    /// Runs `send` with the mailer, the archive and the mirror opened around it when configured,
    /// then says on stderr what was left out and where an outbox message went: stdout stays the receipt.
    func sending(_ send: (any Mailer) async throws -> [SendReceipt]) async throws -> [SendReceipt] {
        let receipts: [SendReceipt]
        switch route {
        case .outbox(let archive):
            receipts = try await archive.withStore(environment: environment) { store in
                try await suppressing(Self.outbox(in: store), send)
            }
        case .archived(let mailgun, let archive):
            let policy = try ArchiveConfiguration.policy(fromEnvironment: environment)
            receipts = try await archive.withStore(environment: environment) { store in
                try await suppressing(Self.archiving(mailgun, into: store, policy: policy), send)
            }
        case .direct(let mailer):
            receipts = try await suppressing(mailer, send)
        }
        let skipped = receipts.flatMap(\.suppressed).map(\.mailbox)
        if !skipped.isEmpty {
            CommandLineFailure.writeNotice("skipped \(skipped.count) suppressed recipient\(skipped.count == 1 ? "" : "s"): \(skipped.joined(separator: ", "))")
        }
        if case .outbox(let archive) = route, receipts.contains(where: \.wasSent) {
            let place = if case .directory = archive { "the local outbox at \(archive.name)" } else { "the outbox of the archive at \(archive.name)" }
            CommandLineFailure.writeNotice("MAILGUN_API_KEY is not set: kept in \(place), not delivered (see `mailroom archive list`).")
        }
        return receipts
    }

    // Generic, so that the store opened as `any ArchiveStore` is the mailers' concrete type.
    private static func outbox(in store: some ArchiveStore) -> any Mailer {
        OutboxMailer(store: store)
    }

    private static func archiving(_ mailgun: any Mailer, into store: some ArchiveStore, policy: ArchivePolicy) -> any Mailer {
        ArchivingMailer(wrapping: mailgun, store: store, policy: policy)
    }

    private func suppressing(_ mailer: any Mailer, _ send: (any Mailer) async throws -> [SendReceipt]) async throws -> [SendReceipt] {
        guard let suppressionsPath else { return try await send(mailer) }
        return try await SQLiteSuppressionStore.withStore(path: suppressionsPath) { store in
            try await send(SuppressingMailer(wrapping: mailer, store: store))
        }
    }
}
