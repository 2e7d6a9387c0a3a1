import Foundation
import Mailroom
import MailroomArchive

/// The list's conditions as the page's form and the JSON API write them in a URL's query:
/// `q` (full-text search), `to`, `from`, `tag`, `state`, `since` and `until` (dates in UTC,
/// `2026-12-01` or `2026-12-01T09:30:00Z`; a bare `until` date includes that day), `before`
/// (the cursor), `offset` (a search's paging) and `limit`.
struct PreviewQuery: Sendable {
    /// The parameters the preview knows; any other is refused, so that a typo is not a silent "all".
    static let names = ["q", "to", "from", "tag", "state", "since", "until", "before", "offset", "limit"]
    /// The page size when the query gives none.
    static let defaultLimit = 50
    /// The largest page.
    static let maximumLimit = 500

    /// The parameters as given, empty values dropped, in ``names`` order.
    var parameters: [(name: String, value: String)]
    /// The store's query.
    var archiveQuery: ArchiveQuery

    /// Reads a raw query string (`application/x-www-form-urlencoded`: `+` is a space).
    ///
    /// - Parameters:
    ///   - query: The URL's query, without `?`.
    ///   - ignoring: Parameters that belong to someone else (the access token).
    /// - Throws: `MailroomError.Code.invalidValue` naming the parameter that is unknown,
    ///   repeated or not a value of its kind.
    init(query: String?, ignoring: Set<String> = []) throws {
        var values: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.formDecoded(parts[0])
            let value = parts.count > 1 ? Self.formDecoded(parts[1]) : ""
            if ignoring.contains(name) { continue }
            guard Self.names.contains(name) else {
                throw MailroomError.invalidValue(field: String(name.prefix(40)), "is not a parameter of the preview; use \(Self.names.joined(separator: ", "))")
            }
            guard values[name] == nil else { throw MailroomError.invalidValue(field: name, "is given more than once") }
            values[name] = value.trimmingCharacters(in: .whitespaces)
        }
        values = values.filter { !$0.value.isEmpty }
        parameters = Self.names.compactMap { name in values[name].map { (name, $0) } }

        var query = ArchiveQuery(
            recipient: values["to"], sender: values["from"], tag: values["tag"], text: values["q"], before: values["before"],
            limit: Self.defaultLimit
        )
        if let state = values["state"] { query.state = try ArchiveState.named(state, field: "state") }
        if let since = values["since"] { query.since = try Self.date(since, field: "since", endOfDay: false) }
        if let until = values["until"] { query.until = try Self.date(until, field: "until", endOfDay: true) }
        if let limit = values["limit"] {
            guard let number = Int(limit), (1...Self.maximumLimit).contains(number) else {
                throw MailroomError.invalidValue(field: "limit", "'\(limit.prefix(20))' is not a number from 1 to \(Self.maximumLimit)")
            }
            query.limit = number
        }
        if let offset = values["offset"] {
            guard let number = Int(offset), number >= 0 else {
                throw MailroomError.invalidValue(field: "offset", "'\(offset.prefix(20))' is not a number of 0 or more")
            }
            query.offset = number
        }
        if let since = query.since, let until = query.until, since >= until {
            throw MailroomError.invalidValue(field: "until", "must be after since")
        }
        archiveQuery = query
    }

    /// The query string of these conditions with `changes` applied (`nil` removes a parameter),
    /// for the page's links.
    func queryString(_ changes: [String: String?] = [:]) -> String {
        var values = Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        for (name, value) in changes { values[name] = value }
        let pairs = Self.names.compactMap { name in values[name].map { "\(name)=\(HTMLText.queryValue($0))" } }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    /// The value of a parameter, if given.
    func value(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Whether the conditions are the newest page of everything matching: where new messages appear.
    var isFirstPage: Bool { value("before") == nil && (archiveQuery.offset == 0) }

    /// The parameters of the next page after `entries`, or `nil` when this page is the last.
    func nextPage(after entries: [ArchiveEntry]) -> [String: String?]? {
        guard let limit = archiveQuery.limit, entries.count == limit, let last = entries.last else { return nil }
        // A text search ranks by relevance, where an id cursor has no meaning: it pages by offset.
        return archiveQuery.text == nil ? ["before": last.id, "offset": nil] : ["offset": String(archiveQuery.offset + limit)]
    }

    private static func formDecoded(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    private static func date(_ text: String, field: String, endOfDay: Bool) throws -> Date {
        if text.count == 10, let day = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()) {
            return endOfDay ? day.addingTimeInterval(86_400) : day
        }
        if let instant = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false)) { return instant }
        if let instant = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return instant }
        throw MailroomError.invalidValue(field: field, "'\(text.prefix(40))' is not a date; use 2026-12-01 or 2026-12-01T09:30:00Z (UTC)")
    }
}
