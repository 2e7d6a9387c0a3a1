import Foundation
import Mailroom
import PostgresNIO

/// The suppression mirror's tables in PostgreSQL and the reading of their rows, next to each other
/// (the same shape as the SQLite mirror's: one row per list and lower-cased address, unsubscribe
/// tags as a JSON array, the checkpoint of each unfinished sync).
enum PostgresSuppressionSchema {
    static let component = "suppressions"

    /// Each element is one version's statements (`{schema}` is the store's schema); never edit one
    /// that has shipped, append.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE {schema}.suppressions (
                kind text NOT NULL,
                address text COLLATE "C" NOT NULL,
                mailbox text NOT NULL,
                tags jsonb NOT NULL,
                code text,
                error text,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                seen_by_sync timestamptz,
                PRIMARY KEY (kind, address)
            )
            """,
            "CREATE INDEX suppressions_by_address ON {schema}.suppressions (address)",
            """
            CREATE TABLE {schema}.suppression_sync_progress (
                kind text PRIMARY KEY,
                started_at timestamptz NOT NULL,
                cursor text,
                entries_applied integer NOT NULL
            )
            """,
        ],
    ]

    /// The columns every read selects, in the order ``Row`` decodes them.
    static let columns = "kind, mailbox, tags::text, code, error, extract(epoch FROM created_at)::float8"

    typealias Row = (String, String, String, String?, String?, Double)

    /// One row to write, as the JSON object the upsert reads.
    struct Write: Encodable {
        var kind: String
        var address: String
        var mailbox: String
        var tags: [String]
        var code: String?
        var error: String?
        var created_at: Double
        var updated_at: Double
        var seen_by_sync: Double?

        init(_ suppression: Suppression, updatedAt: Date, seenBySync: Date?) {
            kind = suppression.kind.description
            address = SuppressionRows.key(suppression.address)
            mailbox = suppression.address.mailbox
            tags = suppression.tags
            code = suppression.code
            error = suppression.error
            created_at = (suppression.createdAt ?? updatedAt).timeIntervalSince1970
            updated_at = updatedAt.timeIntervalSince1970
            seen_by_sync = seenBySync?.timeIntervalSince1970
        }
    }

    /// A row read back; a row the table cannot describe is reported as corrupted, never skipped.
    static func suppression(_ row: Row) throws -> Suppression {
        guard let kind = Suppression.Kind(listName: row.0), let tags = try? JSONDecoder().decode([String].self, from: Data(row.2.utf8)) else {
            throw MailroomError(code: .corrupted, message: "a row of the PostgreSQL suppression table cannot be read (kind '\(row.0.prefix(20))')")
        }
        let address = (try? EmailAddress(mailbox: row.1)) ?? EmailAddress(stringLiteral: row.1)
        return Suppression(kind: kind, address: address, tags: tags, code: row.3, error: row.4, createdAt: Date(timeIntervalSince1970: row.5))
    }
}
