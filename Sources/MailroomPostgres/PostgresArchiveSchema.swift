import Foundation
import Mailroom
import MailroomArchive
import PostgresNIO

/// The archive's tables in PostgreSQL and the reading of their rows, next to each other.
///
/// `archive_entries` holds one row per message: the entry, its recipients and tags as arrays (GIN
/// indexes serve the look-ups), and a weighted `tsvector` over subject (A), sender, recipients and
/// tags (B) and body text (D). `archive_bodies` holds the message's gzip bytes as recorded, in a
/// column stored without PostgreSQL's own compression (`STORAGE EXTERNAL`: gzip does not shrink
/// again, and slices of it are read without decompressing the rest).
enum PostgresArchiveSchema {
    static let component = "archive"

    /// Each element is one version's statements (`{schema}` is the store's schema); never edit one
    /// that has shipped, append.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE {schema}.archive_entries (
                seq bigserial PRIMARY KEY,
                id text COLLATE "C" NOT NULL UNIQUE,
                recorded_at timestamptz NOT NULL,
                message_id text,
                provider_id text,
                sender text NOT NULL,
                sender_address text NOT NULL,
                recipients text[] NOT NULL,
                subject text NOT NULL,
                tags text[] NOT NULL,
                size bigint NOT NULL,
                compressed_size bigint NOT NULL,
                sha256 text NOT NULL,
                state text NOT NULL,
                failure text,
                revision integer NOT NULL,
                search tsvector NOT NULL
            )
            """,
            "CREATE INDEX archive_entries_by_date ON {schema}.archive_entries (recorded_at DESC, seq DESC)",
            "CREATE INDEX archive_entries_by_recipient ON {schema}.archive_entries USING gin (recipients)",
            "CREATE INDEX archive_entries_by_tag ON {schema}.archive_entries USING gin (tags)",
            "CREATE INDEX archive_entries_by_sender ON {schema}.archive_entries (sender_address, recorded_at DESC, seq DESC)",
            "CREATE INDEX archive_entries_by_state ON {schema}.archive_entries (state, recorded_at DESC, seq DESC)",
            "CREATE INDEX archive_entries_by_provider_id ON {schema}.archive_entries (provider_id) WHERE provider_id IS NOT NULL",
            "CREATE INDEX archive_entries_by_message_id ON {schema}.archive_entries (message_id) WHERE message_id IS NOT NULL",
            "CREATE INDEX archive_entries_search ON {schema}.archive_entries USING gin (search)",
            """
            CREATE TABLE {schema}.archive_bodies (
                id text COLLATE "C" PRIMARY KEY REFERENCES {schema}.archive_entries (id) ON DELETE CASCADE,
                gzip bytea NOT NULL
            )
            """,
            "ALTER TABLE {schema}.archive_bodies ALTER COLUMN gzip SET STORAGE EXTERNAL",
        ],
    ]

    /// The columns an entry is read from, of `archive_entries` as `e`, in the order ``Row`` decodes them.
    static let columns = """
        e.id, e.message_id, e.provider_id, e.recorded_at, e.sender, e.recipients, e.subject, e.tags,
        e.size, e.compressed_size, e.sha256, e.state, e.failure, e.revision
        """

    typealias Row = (String, String?, String?, Date, String, [String], String, [String], Int64, Int64, String, String, String?, Int32)

    /// An entry read back; a row that cannot describe one is reported as corrupted, never skipped.
    static func entry(_ row: Row) throws -> ArchiveEntry {
        guard let state = try? ArchiveState.named(row.11) else {
            throw MailroomError(code: .corrupted, field: "archive", message: "archived entry '\(row.0)' has an unknown state")
        }
        return ArchiveEntry(
            id: row.0, messageID: row.1, providerID: row.2, date: row.3, from: row.4, recipients: row.5, subject: row.6, tags: row.7,
            size: Int(row.8), compressedSize: Int(row.9), sha256: row.10, state: state, failure: row.12, revision: Int(row.13)
        )
    }
}
