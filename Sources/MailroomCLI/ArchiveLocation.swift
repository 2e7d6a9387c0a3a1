import ArgumentParser
import Foundation
import Mailroom
import MailroomArchive

/// Which archive a command works on: `--archive-url` or `--dir`, else `MAILROOM_ARCHIVE_URL` or
/// `MAILROOM_ARCHIVE_DIR`, else the local outbox (`MAILROOM_OUTBOX`, else `.mailroom/outbox` in
/// the current directory).
struct ArchiveLocation: ParsableArguments {
    @Option(help: "The archive directory (default: MAILROOM_ARCHIVE_URL or MAILROOM_ARCHIVE_DIR, else the local outbox).")
    var dir: String?

    @Option(name: .customLong("archive-url"), help: "The PostgreSQL archive, postgres://user:password@host:port/db (default: MAILROOM_ARCHIVE_URL).")
    var archiveURL: String?

    @Option(name: .customLong("archive-schema"), help: "The PostgreSQL archive's schema (default: MAILROOM_ARCHIVE_SCHEMA, else mailroom).")
    var archiveSchema: String?

    /// The archive the options and `environment` select.
    func target(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ArchiveTarget {
        try ArchiveTarget.configured(url: archiveURL, directory: dir, schema: archiveSchema, environment: environment)
            ?? .directory(Self.outbox(environment))
    }

    /// Runs `body` with the store, and closes it afterwards, also when `body` throws.
    func withStore<Result: Sendable>(_ body: (any ArchiveStore) async throws -> Result) async throws -> Result {
        let environment = ProcessInfo.processInfo.environment
        return try await target(environment).withStore(environment: environment, body)
    }

    /// The local outbox: `MAILROOM_OUTBOX`, else `.mailroom/outbox`.
    static func outbox(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let outbox = environment["MAILROOM_OUTBOX"], !outbox.isEmpty { return outbox }
        return FileArchiveStore.defaultOutboxDirectory
    }
}
