import Foundation
import Mailroom
import MailroomArchive
import MailroomPostgres

/// Where a command's archive is: a directory (`FileArchiveStore`) or a PostgreSQL database
/// (`PostgresArchiveStore`), chosen by flags and the environment, flags first:
/// `--archive-url`, `--dir`, `MAILROOM_ARCHIVE_URL`, `MAILROOM_ARCHIVE_DIR`.
enum ArchiveTarget {
    case directory(String)
    case postgres(PostgresURL, schema: String)

    /// The variable naming a PostgreSQL archive.
    static let urlVariable = "MAILROOM_ARCHIVE_URL"
    /// The variable naming its schema (default `mailroom`).
    static let schemaVariable = "MAILROOM_ARCHIVE_SCHEMA"

    /// The archive the flags and `environment` name, or `nil` when none does.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming `archive-url` (or `MAILROOM_ARCHIVE_URL`)
    ///   for a URL that is not `postgres://…`, without its password; naming `dir` when both
    ///   `--dir` and `--archive-url` are given.
    static func configured(url: String?, directory: String?, schema: String?, environment: [String: String]) throws -> ArchiveTarget? {
        let schema = schema.flatMap { $0.isEmpty ? nil : $0 } ?? environment[schemaVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "mailroom"
        if let url, !url.isEmpty {
            if let directory, !directory.isEmpty {
                throw MailroomError.invalidValue(field: "dir", "give --dir or --archive-url, not both")
            }
            return .postgres(try PostgresURL(url, field: "archive-url"), schema: schema)
        }
        if let directory, !directory.isEmpty { return .directory(directory) }
        if let url = environment[urlVariable], !url.isEmpty { return .postgres(try PostgresURL(url, field: urlVariable), schema: schema) }
        if let directory = environment["MAILROOM_ARCHIVE_DIR"], !directory.isEmpty { return .directory(directory) }
        return nil
    }

    /// The directory, or the URL without its password, for messages.
    var name: String {
        switch self {
        case .directory(let path): path
        case .postgres(let url, let schema): schema == "mailroom" ? url.description : "\(url) (schema \(schema))"
        }
    }

    /// Opens the store, runs `body` with it, and closes it (and its connections) afterwards, also
    /// when `body` throws.
    func withStore<Result: Sendable>(environment: [String: String], _ body: (any ArchiveStore) async throws -> Result) async throws -> Result {
        switch self {
        case .directory(let path):
            let configuration = FileArchiveStore.Configuration(compressionLevel: try ArchiveConfiguration.compressionLevel(fromEnvironment: environment))
            return try await FileArchiveStore.withStore(directory: path, configuration: configuration) { try await body($0) }
        case .postgres(let url, let schema):
            let configuration = PostgresArchiveStore.Configuration(
                schema: schema, compressionLevel: try ArchiveConfiguration.compressionLevel(fromEnvironment: environment)
            )
            return try await PostgresArchiveStore.withStore(url: url, configuration: configuration, logger: CommandLineFailure.logger) { try await body($0) }
        }
    }
}
