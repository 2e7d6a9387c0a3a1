import Foundation
import MailroomArchive

/// The words PostgreSQL's full-text index holds and a search looks for, made the way the SQLite
/// archive's FTS5 tokenizer makes them (`unicode61 remove_diacritics 2`), so that both stores
/// find the same messages: runs of letters and digits, lower-cased, diacritics folded.
///
/// The words are made here, not by a text-search configuration: `to_tsvector('simple', …)` is
/// given them separated by spaces, which it keeps as they are, and a query is built of quoted
/// lexemes that cannot be `tsquery` syntax, whatever a user types.
enum PostgresSearchText {
    /// `text` as the words to index, separated by spaces.
    static func document(_ text: String) -> String {
        words(text).joined(separator: " ")
    }

    /// A `tsquery` that requires every term: a term of several words (`zoe@example.com`) is a
    /// phrase, a term ending in `*` matches its last word as a prefix.
    static func query(_ terms: [ArchiveQuery.SearchTerm]) -> String {
        terms.compactMap { term -> String? in
            let parts = words(String(term.word))
            guard !parts.isEmpty else { return nil }
            let lexemes = parts.enumerated().map { index, word in
                "'\(word)'" + (term.isPrefix && index == parts.count - 1 ? ":*" : "")
            }
            return lexemes.count == 1 ? lexemes[0] : "(" + lexemes.joined(separator: " <-> ") + ")"
        }.joined(separator: " & ")
    }

    /// The runs of letters and digits in `text`, lower-cased and without diacritics.
    static func words(_ text: String) -> [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            .map { String($0).lowercased() }
    }
}
