import Mailroom
import MailroomArchive
import PostgresNIO

/// An `ArchiveQuery` as PostgreSQL statements over `archive_entries`: the same conditions, order
/// and paging as the SQLite index, every value a bind.
struct PostgresArchiveQuery {
    private let query: ArchiveQuery
    private let entries: String
    private var conditions: [String] = []
    private var bindings = PostgresBindings()
    /// The bind of the search's `tsquery`, when there is one.
    private var search: String?

    /// - Throws: `MailroomError.Code.invalidValue` naming the field that cannot be a condition.
    init(_ query: ArchiveQuery, entries: String) throws {
        try query.check()
        self.query = query
        self.entries = entries
        if let id = query.id { condition("e.id = ", id) }
        if let recipient = query.recipient { condition("e.recipients @> ARRAY[", recipient.lowercased(), "]::text[]") }
        if let sender = query.sender { condition("e.sender_address = ", ArchiveDetails.address(of: sender)) }
        if let since = query.since { condition("e.recorded_at >= ", since) }
        if let until = query.until { condition("e.recorded_at < ", until) }
        if let tag = query.tag { condition("e.tags @> ARRAY[", tag, "]::text[]") }
        if let state = query.state { condition("e.state = ", state.name) }
        if let providerID = query.providerID { condition("e.provider_id = ANY(", ArchiveQuery.bracketed(providerID), ")") }
        if let messageID = query.messageID { condition("e.message_id = ANY(", ArchiveQuery.bracketed(messageID), ")") }
        if let text = query.text {
            let placeholder = bind(PostgresSearchText.query(try ArchiveQuery.searchTerms(text)))
            search = "to_tsquery('simple', \(placeholder))"
            conditions.append("e.search @@ to_tsquery('simple', \(placeholder))")
        }
    }

    /// The statement listing the matching entries, paged: newest first (time, then order of
    /// recording), or best matches first for a search.
    func select() -> PostgresQuery {
        var statement = self
        if let before = query.before {
            // Older than the cursor's row in the listing's order; an id not in the store matches nothing.
            let placeholder = statement.bind(before)
            statement.conditions.append("(e.recorded_at, e.seq) < (SELECT recorded_at, seq FROM \(entries) WHERE id = \(placeholder))")
        }
        let order = search.map { "ts_rank(e.search, \($0)) DESC, e.recorded_at DESC, e.seq DESC" } ?? "e.recorded_at DESC, e.seq DESC"
        var sql = "SELECT \(PostgresArchiveSchema.columns) FROM \(entries) e\(statement.whereClause) ORDER BY \(order)"
        if let limit = query.limit { sql += " LIMIT \(statement.bind(Int64(limit)))" }
        if query.offset > 0 { sql += " OFFSET \(statement.bind(Int64(query.offset)))" }
        return PostgresQuery(unsafeSQL: sql, binds: statement.bindings)
    }

    /// The statement counting the matching entries, paging ignored.
    func count() -> PostgresQuery {
        PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(entries) e\(whereClause)", binds: bindings)
    }

    private var whereClause: String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    private mutating func condition(_ before: String, _ value: some PostgresDynamicTypeEncodable, _ after: String = "") {
        conditions.append(before + bind(value) + after)
    }

    /// Appends `value` to the binds and returns its placeholder, `$n`.
    private mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }
}
