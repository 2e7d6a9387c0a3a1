import ArgumentParser
import Foundation
import Mailroom
import MailroomArchive

/// Which archive a command works on: `--dir`, else `MAILROOM_ARCHIVE_DIR`, else the local outbox
/// (`MAILROOM_OUTBOX`, else `.mailroom/outbox` in the current directory).
struct ArchiveLocation: ParsableArguments {
    @Option(help: "The archive directory (default: MAILROOM_ARCHIVE_DIR, else the local outbox).")
    var dir: String?

    /// The directory the options and `environment` select.
    func directory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir, !dir.isEmpty { return dir }
        if let archive = environment["MAILROOM_ARCHIVE_DIR"], !archive.isEmpty { return archive }
        return Self.outbox(environment)
    }

    /// The store in that directory.
    func store() throws -> FileArchiveStore {
        try FileArchiveStore(directory: directory())
    }

    /// Runs `body` with the store, and closes it afterwards, also when `body` throws.
    func withStore<Result: Sendable>(_ body: (FileArchiveStore) async throws -> Result) async throws -> Result {
        let store = try store()
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The local outbox: `MAILROOM_OUTBOX`, else `.mailroom/outbox`.
    static func outbox(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let outbox = environment["MAILROOM_OUTBOX"], !outbox.isEmpty { return outbox }
        return FileArchiveStore.defaultOutboxDirectory
    }
}
