import Mailroom

extension ArchiveQuery {
    /// One word of a search: what the user typed between spaces, and whether it ended in `*`.
    package struct SearchTerm: Sendable, Hashable {
        /// The word, without its `*`.
        package var word: Substring
        /// Whether it matches as a prefix.
        package var isPrefix: Bool
    }

    /// The words of `text` that can be searched for: a word without a letter or digit is dropped.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming `text` when no word is left.
    package static func searchTerms(_ text: String) throws -> [SearchTerm] {
        let terms = text.split(whereSeparator: { $0.isWhitespace }).compactMap { word -> SearchTerm? in
            let isPrefix = word.count > 1 && word.hasSuffix("*")
            let body = isPrefix ? word.dropLast() : word
            guard body.contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
            return SearchTerm(word: body, isPrefix: isPrefix)
        }
        guard !terms.isEmpty else {
            throw MailroomError.invalidValue(field: "text", "'\(text.prefix(60))' has no word to search for")
        }
        return terms
    }

    /// Checks the fields every store checks before it runs the query: the ids, the page's size
    /// and offset, and that a search has a word.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming the field.
    package func check() throws {
        if let id { try ArchiveID.check(id) }
        if let before { try ArchiveID.check(before, field: "before") }
        if let limit, limit < 1 { throw MailroomError.invalidValue(field: "limit", "\(limit) is not a page size; use 1 or more") }
        guard offset >= 0 else { throw MailroomError.invalidValue(field: "offset", "\(offset) is negative") }
        if let text { _ = try Self.searchTerms(text) }
    }
}
