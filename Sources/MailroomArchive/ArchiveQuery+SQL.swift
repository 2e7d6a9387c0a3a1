import Foundation
import Mailroom
import SQLiteNIO

extension ArchiveQuery {
    /// The statement that lists the matching entries, and its binds.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming the field that cannot be a condition.
    func selectStatement() throws -> (sql: String, binds: [SQLiteData]) {
        var (from, conditions, binds) = try filter()
        if let before {
            guard ArchiveLayout.isValidID(before) else { throw ArchiveQuery.invalidID(before, field: "before") }
            // Older than the cursor's row in the listing's order (time, then order of recording).
            conditions.append("(m.date, m.rowid) < (SELECT date, rowid FROM messages WHERE id = ?)")
            binds.append(.text(before))
        }
        if let limit, limit < 1 { throw MailroomError.invalidValue(field: "limit", "\(limit) is not a page size; use 1 or more") }
        guard offset >= 0 else { throw MailroomError.invalidValue(field: "offset", "\(offset) is negative") }
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
        let (from, conditions, binds) = try unpaged.filter()
        return ("SELECT count(*) AS count FROM \(from)\(Self.whereClause(conditions))", binds)
    }

    private func filter() throws -> (from: String, conditions: [String], binds: [SQLiteData]) {
        var from = "messages m"
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let id {
            guard ArchiveLayout.isValidID(id) else { throw ArchiveQuery.invalidID(id, field: "id") }
            conditions.append("m.id = ?")
            binds.append(.text(id))
        }
        if let recipient {
            conditions.append("m.rowid IN (SELECT message FROM message_recipients WHERE address = ?)")
            binds.append(.text(recipient.lowercased()))
        }
        if let sender {
            conditions.append("m.sender_address = ?")
            binds.append(.text(ArchiveSchema.address(of: sender)))
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
        let words = text.split(whereSeparator: { $0.isWhitespace })
        let terms = words.compactMap { word -> String? in
            let isPrefix = word.count > 1 && word.hasSuffix("*")
            let body = isPrefix ? word.dropLast() : word
            guard body.contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
            let quoted = "\"" + body.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return isPrefix ? quoted + "*" : quoted
        }
        guard !terms.isEmpty else {
            throw MailroomError.invalidValue(field: "text", "'\(text.prefix(60))' has no word to search for")
        }
        return terms.joined(separator: " ")
    }

    /// An id as given and in the other form: with angle brackets added or removed.
    private static func bracketed(_ id: String) -> [String] {
        let bare = id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 ? String(id.dropFirst().dropLast()) : id
        return [bare, "<\(bare)>"]
    }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    static func invalidID(_ id: String, field: String) -> MailroomError {
        MailroomError.invalidValue(field: field, "'\(id.prefix(60))' is not an archive id (like 20261121-093000-4f1c2a9e7b3d)")
    }
}
