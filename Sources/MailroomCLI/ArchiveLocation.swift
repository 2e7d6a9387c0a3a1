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

    @OptionGroup var database: ArchiveDatabaseOptions

    /// The archive the options and `environment` select.
    func target(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ArchiveTarget {
        try ArchiveTarget.configured(url: database.url, directory: dir, schema: database.schema, environment: environment)
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
