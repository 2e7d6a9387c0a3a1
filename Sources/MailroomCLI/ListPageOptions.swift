import ArgumentParser
import Mailroom
import MailroomMailgun

/// `--limit`, `--skip` and `--all`, as the list verbs over Mailgun's skip-and-limit lists take them
/// (domains, users): one page, or every page from the first.
struct ListPageOptions: ParsableArguments {
    @Option(help: "Entries per page, 1 to 1000.") var limit = 100
    @Option(help: "Entries to skip.") var skip = 0
    @Flag(help: "Follow the pages to the end.") var all = false

    /// One page through `page`, or with `--all` every entry through `pages`.
    func entries<Element: Sendable>(
        pages: (_ pageSize: Int) -> MailgunPages<Element>,
        page: (_ skip: Int, _ limit: Int) async throws -> [Element]
    ) async throws -> [Element] {
        guard all else { return try await page(skip, limit) }
        guard skip == 0 else { throw MailroomError.invalidValue(field: "skip", "--all starts at the first entry; leave --skip out") }
        guard (1...1_000).contains(limit) else { throw MailroomError.invalidValue(field: "limit", "must be 1 to 1000, not \(limit)") }
        return try await pages(limit).collect()
    }
}
