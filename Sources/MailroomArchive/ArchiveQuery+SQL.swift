import Foundation
import Mailroom
import SQLiteNIO

extension ArchiveQuery {
    /// The statement that lists the matching entries, and its binds.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming the field that cannot be a condition.
    func selectStatement() throws -> (sql: String, binds: [SQLiteData]) {
        try check()
        var (from, conditions, binds) = try filter()
        if let before {
            // Older than the cursor's row in the listing's order (time, then order of recording).
            conditions.append("(m.date, m.rowid) < (SELECT date, rowid FROM messages WHERE id = ?)")
            binds.append(.text(before))
        }
        let page: [SQLiteData] = [.integer(limit ?? -1), .integer(offset)]
        guard text != nil else {
            let sql = "SELECT \(ArchiveSchema.entryColumns) FROM \(from)\(Self.whereClause(conditions)) ORDER BY m.date DESC, m.rowid DESC LIMIT ? OFFSET ?"
            return (sql, binds + page)
        }
        if conditions.count == 1 {
            // A search alone: FTS5 ranks and pages its own matches (the `rank` column, bm25 with the
            // weights the schema sets), and only that page is joined to its entries.
            let sql = """
                SELECT \(ArchiveSchema.entryColumns) FROM (
                    SELECT rowid AS hit, rank FROM message_search WHERE message_search MATCH ? ORDER BY rank LIMIT ? OFFSET ?
                ) AS s JOIN messages m ON m.rowid = s.hit ORDER BY s.rank
                """
            return (sql, binds + page)  // the one bind is the search expression
        }
        let sql = "SELECT \(ArchiveSchema.entryColumns) FROM \(from)\(Self.whereClause(conditions)) ORDER BY message_search.rank LIMIT ? OFFSET ?"
        return (sql, binds + page)
    }

    /// The statement that counts the matching entries (paging ignored), and its binds.
    func countStatement() throws -> (sql: String, binds: [SQLiteData]) {
        try check()
        let (from, conditions, binds) = try unpaged.filter()
        return ("SELECT count(*) AS count FROM \(from)\(Self.whereClause(conditions))", binds)
    }

    private func filter() throws -> (from: String, conditions: [String], binds: [SQLiteData]) {
        var from = "messages m"
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let id {
            conditions.append("m.id = ?")
            binds.append(.text(id))
        }
        if let recipient {
            conditions.append("m.rowid IN (SELECT message FROM message_recipients WHERE address = ?)")
            binds.append(.text(recipient.lowercased()))
        }
        if let sender {
            conditions.append("m.sender_address = ?")
            binds.append(.text(ArchiveDetails.address(of: sender)))
        }
        if let since {
            conditions.append("m.date >= ?")
            binds.append(.float(since.timeIntervalSince1970))
        }
        if let until {
            conditions.append("m.date < ?")
            binds.append(.float(until.timeIntervalSince1970))
        }
        if let tag {
            conditions.append("m.rowid IN (SELECT message FROM message_tags WHERE tag = ?)")
            binds.append(.text(tag))
        }
        if let state {
            conditions.append("m.state = ?")
            binds.append(.text(state.name))
        }
        if let providerID {
            conditions.append("m.provider_id IN (?, ?)")
            binds += Self.bracketed(providerID).map(SQLiteData.text)
        }
        if let messageID {
            conditions.append("m.message_id IN (?, ?)")
            binds += Self.bracketed(messageID).map(SQLiteData.text)
        }
        if let text {
            from = "message_search JOIN messages m ON m.rowid = message_search.rowid"
            conditions.append("message_search MATCH ?")
            binds.append(.text(try Self.searchExpression(text)))
        }
        return (from, conditions, binds)
    }

    /// `text` as an FTS5 expression that cannot be a syntax error: every word a quoted string
    /// (so `AND`, `"`, `:` or `(` in what a user types are words, not operators), all required; a
    /// word ending in `*` is a prefix.
    static func searchExpression(_ text: String) throws -> String {
        try searchTerms(text).map { term in
            let quoted = "\"" + term.word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return term.isPrefix ? quoted + "*" : quoted
        }.joined(separator: " ")
    }

    /// An id as given and in the other form: with angle brackets added or removed.
    package static func bracketed(_ id: String) -> [String] {
        let bare = id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 ? String(id.dropFirst().dropLast()) : id
        return [bare, "<\(bare)>"]
    }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }
}
