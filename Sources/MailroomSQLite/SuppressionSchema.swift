import Foundation
import Mailroom
import SQLiteNIO

/// The suppression mirror's tables and the SQL that reads and writes them, next to each other.
///
/// `suppressions` holds one row per list and address (the lower-cased mailbox is the key, as
/// Mailgun matches addresses); unsubscribe tags are a JSON array. `sync_progress` holds the
/// checkpoint of each list's unfinished sync.
enum SuppressionSchema {
    /// Each element is one schema version's statements; never edit one that has shipped, append.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE suppressions (
                kind TEXT NOT NULL,
                address TEXT NOT NULL,
                mailbox TEXT NOT NULL,
                tags TEXT NOT NULL,
                code TEXT,
                error TEXT,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                seen_by_sync REAL,
                PRIMARY KEY (kind, address)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX suppressions_by_address ON suppressions (address)",
            """
            CREATE TABLE sync_progress (
                kind TEXT PRIMARY KEY,
                started_at REAL NOT NULL,
                cursor TEXT,
                entries_applied INTEGER NOT NULL
            )
            """,
        ],
    ]

    static let columns = "kind, mailbox, tags, code, error, created_at"
    static let selectOne = "SELECT \(columns) FROM suppressions WHERE kind = ? AND address = ?"
    /// Every list's entries for the addresses in a JSON array (one bind, any number of addresses).
    static let selectMany = "SELECT \(columns) FROM suppressions WHERE address IN (SELECT value FROM json_each(?))"
    static let selectManyOfKind = "SELECT \(columns) FROM suppressions WHERE kind = ? AND address IN (SELECT value FROM json_each(?))"
    static let selectPage = "SELECT \(columns) FROM suppressions WHERE kind = ? AND address > ? ORDER BY address LIMIT ?"
    static let deleteOne = "DELETE FROM suppressions WHERE kind = ? AND address = ?"
    /// Writes rows given as one JSON array of objects: one statement for a whole batch.
    static let upsertMany = """
        INSERT INTO suppressions (kind, address, mailbox, tags, code, error, created_at, updated_at, seen_by_sync)
        SELECT value ->> 'kind', value ->> 'address', value ->> 'mailbox', value ->> 'tags', value ->> 'code',
               value ->> 'error', value ->> 'created_at', value ->> 'updated_at', value ->> 'seen_by_sync'
        FROM json_each(?) WHERE true
        ON CONFLICT (kind, address) DO UPDATE SET
            mailbox = excluded.mailbox, tags = excluded.tags, code = excluded.code, error = excluded.error,
            created_at = excluded.created_at, updated_at = excluded.updated_at, seen_by_sync = excluded.seen_by_sync
        """

    /// One row to write.
    struct Row: Encodable {
        var kind: String
        var address: String
        var mailbox: String
        var tags: String
        var code: String?
        var error: String?
        var createdAt: Double
        var updatedAt: Double
        var seenBySync: Double?

        init(_ suppression: Suppression, updatedAt: Date, seenBySync: Date?) {
            kind = suppression.kind.description
            address = SuppressionRows.key(suppression.address)
            mailbox = suppression.address.mailbox
            tags = (try? SuppressionSchema.jsonArray(suppression.tags)) ?? "[]"
            code = suppression.code
            error = suppression.error
            createdAt = (suppression.createdAt ?? updatedAt).timeIntervalSince1970
            self.updatedAt = updatedAt.timeIntervalSince1970
            self.seenBySync = seenBySync?.timeIntervalSince1970
        }

        enum CodingKeys: String, CodingKey {
            case kind, address, mailbox, tags, code, error
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case seenBySync = "seen_by_sync"
        }
    }

    static func jsonArray(_ strings: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(strings), as: UTF8.self)
    }

    static func upsert(_ rows: [Row], in transaction: SQLiteDatabaseFile.Transaction) async throws {
        guard !rows.isEmpty else { return }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        _ = try await transaction.query(upsertMany, [.text(json)])
    }

    /// A row read back; a row the file cannot describe is reported as corrupted, never skipped.
    static func suppression(_ row: SQLiteRow) throws -> Suppression {
        guard let kindName = row.column("kind")?.string, let kind = Suppression.Kind(listName: kindName),
            let mailbox = row.column("mailbox")?.string,
            let tagsJSON = row.column("tags")?.string,
            let tags = try? JSONDecoder().decode([String].self, from: Data(tagsJSON.utf8)),
            let created = row.column("created_at")?.double
        else {
            throw MailroomError(code: .corrupted, message: "a row of the suppression database cannot be read: \(row.columns.map(\.name))")
        }
        let address = (try? EmailAddress(mailbox: mailbox)) ?? EmailAddress(stringLiteral: mailbox)
        return Suppression(
            kind: kind, address: address, tags: tags,
            code: row.column("code")?.string, error: row.column("error")?.string,
            createdAt: Date(timeIntervalSince1970: created)
        )
    }

    static func checkpoint(_ kind: Suppression.Kind, in transaction: SQLiteDatabaseFile.Transaction) async throws -> SuppressionSyncCheckpoint? {
        let rows = try await transaction.query("SELECT started_at, cursor, entries_applied FROM sync_progress WHERE kind = ?", [.text(kind.description)])
        guard let row = rows.first, let started = row.column("started_at")?.double else { return nil }
        return SuppressionSyncCheckpoint(
            kind: kind, startedAt: Date(timeIntervalSince1970: started),
            cursor: row.column("cursor")?.string, entriesApplied: Int(row.column("entries_applied")?.integer ?? 0)
        )
    }
}
