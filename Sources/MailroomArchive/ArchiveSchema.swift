import Foundation
import Mailroom
import SQLiteNIO

/// The archive index's tables (`archive.sqlite` in the store's directory) and the SQL that reads
/// and writes them, next to each other.
///
/// `messages` holds one row per archived message: the entry, plus the text the full-text index
/// reads (`body`). `message_recipients` and `message_tags` make look-ups by address and tag index
/// searches. `message_search` is an FTS5 index over subject, sender, recipients, tags and body,
/// with `messages` as its content table, kept in step by triggers. `archive_meta` records that the
/// files present when the database was made are indexed (the migration from the first layout).
enum ArchiveSchema {
    /// The database's name in the store's directory.
    static let fileName = "archive.sqlite"

    /// Each element is one schema version's statements; never edit one that has shipped, append.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE messages (
                rowid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                message_id TEXT,
                provider_id TEXT,
                date INTEGER NOT NULL,
                sender TEXT NOT NULL,
                sender_address TEXT NOT NULL,
                recipients TEXT NOT NULL,
                subject TEXT NOT NULL,
                tags TEXT NOT NULL,
                size INTEGER NOT NULL,
                compressed_size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                state TEXT NOT NULL,
                failure TEXT,
                revision INTEGER NOT NULL,
                body TEXT NOT NULL
            )
            """,
            "CREATE INDEX messages_by_date ON messages (date)",
            "CREATE INDEX messages_by_state ON messages (state, id)",
            "CREATE INDEX messages_by_sender ON messages (sender_address, id)",
            "CREATE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL",
            "CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id IS NOT NULL",
            "CREATE TABLE message_recipients (address TEXT NOT NULL, message INTEGER NOT NULL, PRIMARY KEY (address, message)) WITHOUT ROWID",
            "CREATE TABLE message_tags (tag TEXT NOT NULL, message INTEGER NOT NULL, PRIMARY KEY (tag, message)) WITHOUT ROWID",
            """
            CREATE VIRTUAL TABLE message_search USING fts5(
                subject, sender, recipients, tags, body,
                content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
            )
            """,
            // Ranking: a match in the subject weighs most, then sender, recipients and tags, then the body.
            "INSERT INTO message_search (message_search, rank) VALUES ('rank', 'bm25(10.0, 4.0, 4.0, 4.0, 1.0)')",
            """
            CREATE TRIGGER messages_inserted AFTER INSERT ON messages BEGIN
                INSERT INTO message_recipients (address, message) SELECT DISTINCT value, new.rowid FROM json_each(new.recipients);
                INSERT INTO message_tags (tag, message) SELECT DISTINCT value, new.rowid FROM json_each(new.tags);
                INSERT INTO message_search (rowid, subject, sender, recipients, tags, body)
                    VALUES (new.rowid, new.subject, new.sender, new.recipients, new.tags, new.body);
            END
            """,
            """
            CREATE TRIGGER messages_deleted AFTER DELETE ON messages BEGIN
                DELETE FROM message_recipients WHERE message = old.rowid;
                DELETE FROM message_tags WHERE message = old.rowid;
                INSERT INTO message_search (message_search, rowid, subject, sender, recipients, tags, body)
                    VALUES ('delete', old.rowid, old.subject, old.sender, old.recipients, old.tags, old.body);
            END
            """,
            """
            CREATE TRIGGER messages_replaced AFTER UPDATE OF subject, sender, recipients, tags, body ON messages BEGIN
                DELETE FROM message_recipients WHERE message = old.rowid;
                DELETE FROM message_tags WHERE message = old.rowid;
                INSERT INTO message_search (message_search, rowid, subject, sender, recipients, tags, body)
                    VALUES ('delete', old.rowid, old.subject, old.sender, old.recipients, old.tags, old.body);
                INSERT INTO message_recipients (address, message) SELECT DISTINCT value, new.rowid FROM json_each(new.recipients);
                INSERT INTO message_tags (tag, message) SELECT DISTINCT value, new.rowid FROM json_each(new.tags);
                INSERT INTO message_search (rowid, subject, sender, recipients, tags, body)
                    VALUES (new.rowid, new.subject, new.sender, new.recipients, new.tags, new.body);
            END
            """,
            "CREATE TABLE archive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        ],
    ]

    /// The columns an ``ArchiveEntry`` is read from, of `messages` as `m`.
    static let entryColumns = returnedColumns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    /// The same columns unqualified, as a `RETURNING` clause names them.
    static let returnedColumns = """
        id, message_id, provider_id, date, sender, recipients, subject, tags, size,
        compressed_size, sha256, state, failure, revision
        """

    /// Inserts the rows given as one JSON array of ``Row``s: one statement for a whole group of
    /// records. A row already present is replaced only by a higher revision: an entry recovered
    /// from its file (revision 0) gives way to the record that wrote it, and a reindex or migration
    /// run twice changes nothing.
    static let insertMany = """
        INSERT INTO messages (id, message_id, provider_id, date, sender, sender_address, recipients, subject, tags,
                              size, compressed_size, sha256, state, failure, revision, body)
        SELECT value ->> 'id', value ->> 'message_id', value ->> 'provider_id', value ->> 'date', value ->> 'sender',
               value ->> 'sender_address', value ->> 'recipients', value ->> 'subject', value ->> 'tags',
               value ->> 'size', value ->> 'compressed_size', value ->> 'sha256', value ->> 'state',
               value ->> 'failure', value ->> 'revision', value ->> 'body'
        FROM json_each(?) WHERE true
        ON CONFLICT (id) DO UPDATE SET
            message_id = excluded.message_id, provider_id = excluded.provider_id, date = excluded.date,
            sender = excluded.sender, sender_address = excluded.sender_address, recipients = excluded.recipients,
            subject = excluded.subject, tags = excluded.tags, size = excluded.size,
            compressed_size = excluded.compressed_size, sha256 = excluded.sha256, state = excluded.state,
            failure = excluded.failure, revision = excluded.revision, body = excluded.body
        WHERE excluded.revision > messages.revision
        """

    /// Inserts one row bound as parameters: a record alone in its group (the usual case when sends
    /// come one at a time) skips the JSON, and SQLite compiles no upsert, whose update trigger is
    /// most of the cost of preparing ``insertMany``. Returns no row when the id is already there (a
    /// reindex in another process indexed the file first); ``insertMany`` then decides by revision.
    static let insertOne = """
        INSERT INTO messages (id, message_id, provider_id, date, sender, sender_address, recipients, subject, tags,
                              size, compressed_size, sha256, state, failure, revision, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        RETURNING rowid
        """

    /// Applies one outcome bound as parameters (state, provider id, failure, id), returning the
    /// settled entry: a settle alone in its group, without the JSON.
    static let settleOne = """
        UPDATE messages SET
            state = ?, provider_id = coalesce(?, provider_id), failure = ?, revision = revision + 1
        WHERE id = ?
        RETURNING \(returnedColumns)
        """

    /// Applies one outcome (state, provider id, failure, id, expected revision) to a row known to
    /// be at that revision: the settle of an entry this process recorded, which it settles without
    /// reading the row back. Returns no row when the row changed meanwhile (``settleOne`` then).
    static let settleKnown = """
        UPDATE messages SET
            state = ?, provider_id = coalesce(?, provider_id), failure = ?, revision = revision + 1
        WHERE id = ? AND revision = ?
        RETURNING revision
        """

    /// Applies outcomes given as one JSON array of `{id, state, provider_id, failure}`: one
    /// statement for a group of settles, returning each settled entry.
    static let settleMany = """
        UPDATE messages AS m SET
            state = o.value ->> 'state',
            provider_id = coalesce(o.value ->> 'provider_id', m.provider_id),
            failure = o.value ->> 'failure',
            revision = m.revision + 1
        FROM json_each(?) AS o
        WHERE m.id = o.value ->> 'id'
        RETURNING \(returnedColumns)
        """

    static let markIndexed = "INSERT INTO archive_meta (key, value) VALUES ('files_indexed', '1') ON CONFLICT (key) DO NOTHING"
    static let isIndexed = "SELECT value FROM archive_meta WHERE key = 'files_indexed'"

    /// One row to insert.
    struct Row: Encodable {
        var id: String
        var messageID: String?
        var providerID: String?
        var date: Int
        var sender: String
        var senderAddress: String
        var recipients: String
        var subject: String
        var tags: String
        var size: Int
        var compressedSize: Int
        var sha256: String
        var state: String
        var failure: String?
        var revision: Int
        var body: String

        init(_ entry: ArchiveEntry, body: String) {
            id = entry.id
            messageID = entry.messageID
            providerID = entry.providerID
            date = Int(entry.date.timeIntervalSince1970.rounded(.down))
            sender = entry.from
            senderAddress = ArchiveDetails.address(of: entry.from)
            recipients = ArchiveSchema.jsonArray(entry.recipients)
            subject = entry.subject
            tags = ArchiveSchema.jsonArray(entry.tags)
            size = entry.size
            compressedSize = entry.compressedSize
            sha256 = entry.sha256
            state = entry.state.name
            failure = entry.failure
            revision = entry.revision
            self.body = body
        }

        /// The values of ``ArchiveSchema/insertOne``, in its order.
        var binds: [SQLiteData] {
            [
                .text(id), .optionalText(messageID), .optionalText(providerID), .integer(date), .text(sender),
                .text(senderAddress), .text(recipients), .text(subject), .text(tags), .integer(size),
                .integer(compressedSize), .text(sha256), .text(state), .optionalText(failure), .integer(revision), .text(body),
            ]
        }

        enum CodingKeys: String, CodingKey {
            case id, date, sender, recipients, subject, tags, size, sha256, state, failure, revision, body
            case messageID = "message_id"
            case providerID = "provider_id"
            case senderAddress = "sender_address"
            case compressedSize = "compressed_size"
        }
    }

    /// One outcome to apply.
    struct Settlement: Encodable {
        var id: String
        var state: String
        var providerID: String?
        var failure: String?

        /// The values of ``ArchiveSchema/settleOne``, in its order.
        var binds: [SQLiteData] { [.text(state), .optionalText(providerID), .optionalText(failure), .text(id)] }

        /// The values of ``ArchiveSchema/settleKnown`` for a row at `revision`.
        func binds(revision: Int) -> [SQLiteData] { binds + [.integer(revision)] }

        enum CodingKeys: String, CodingKey {
            case id, state, failure
            case providerID = "provider_id"
        }
    }

    /// A JSON array of strings, written by hand: two of them per recorded message, and
    /// `JSONEncoder` costs more than the rest of the row's preparation together. Escapes what
    /// RFC 8259 requires (quote, backslash, control characters); SQLite's `json_each` reads it.
    static func jsonArray(_ strings: [String]) -> String {
        var json = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case "\n": json += "\\n"
                case "\r": json += "\\r"
                case "\t": json += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }

    static func json<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    /// An entry read back; a row the file cannot describe is reported as corrupted, never skipped.
    static func entry(_ row: SQLiteRow) throws -> ArchiveEntry {
        guard let id = row.column("id")?.string,
            let date = row.column("date")?.integer,
            let from = row.column("sender")?.string,
            let recipients = row.column("recipients")?.string.flatMap(strings),
            let subject = row.column("subject")?.string,
            let tags = row.column("tags")?.string.flatMap(strings),
            let size = row.column("size")?.integer,
            let compressedSize = row.column("compressed_size")?.integer,
            let sha256 = row.column("sha256")?.string,
            let stateName = row.column("state")?.string,
            let state = try? ArchiveState.named(stateName),
            let revision = row.column("revision")?.integer
        else {
            throw MailroomError(code: .corrupted, field: "archive", message: "a row of the archive index cannot be read: \(row.columns.map(\.name))")
        }
        return ArchiveEntry(
            id: id,
            messageID: row.column("message_id")?.string,
            providerID: row.column("provider_id")?.string,
            date: Date(timeIntervalSince1970: TimeInterval(date)),
            from: from,
            recipients: recipients,
            subject: subject,
            tags: tags,
            size: size,
            compressedSize: compressedSize,
            sha256: sha256,
            state: state,
            failure: row.column("failure")?.string,
            revision: revision
        )
    }

    private static func strings(_ json: String) -> [String]? {
        try? JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}

extension SQLiteData {
    /// Text, or SQL `NULL` for `nil`.
    fileprivate static func optionalText(_ text: String?) -> SQLiteData {
        text.map(SQLiteData.text) ?? .null
    }
}
