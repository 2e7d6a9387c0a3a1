/// A list Mailgun pages by `skip` and `limit` (domains, users), fetched a page at a time as it is
/// iterated.
///
/// Iteration stops after a page shorter than the limit, or once `total` entries have been read, so
/// the end of a list never costs a request for an empty page.
///
/// ```swift
/// for try await domain in MailgunDomains(client: mailer.client).list(logger: logger) { … }
/// ```
public struct MailgunPages<Element: Sendable>: AsyncSequence, Sendable {
    /// One page and the list's total, when Mailgun gives it.
    public struct Page: Sendable {
        /// The entries on this page.
        public var items: [Element]
        /// How many entries the whole list has.
        public var total: Int?

        /// Creates a page.
        ///
        /// - Parameters:
        ///   - items: The entries.
        ///   - total: The list's total, if known.
        public init(items: [Element], total: Int?) {
            self.items = items
            self.total = total
        }
    }

    /// Entries asked for per request.
    public let pageSize: Int
    private let fetch: @Sendable (_ skip: Int, _ limit: Int) async throws -> Page

    /// Creates a sequence from a page fetcher.
    ///
    /// - Parameters:
    ///   - pageSize: Entries per request, at least 1.
    ///   - fetch: Returns the page of `limit` entries after `skip`.
    public init(pageSize: Int, fetch: @escaping @Sendable (_ skip: Int, _ limit: Int) async throws -> Page) {
        self.pageSize = Swift.max(pageSize, 1)
        self.fetch = fetch
    }

    /// Every entry at once.
    ///
    /// - Returns: The entries in list order.
    /// - Throws: The fetcher's error.
    public func collect() async throws -> [Element] {
        var all: [Element] = []
        for try await item in self { all.append(item) }
        return all
    }

    /// Starts fetching.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pageSize: pageSize, fetch: fetch)
    }

    /// Walks the pages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let pageSize: Int
        private let fetch: @Sendable (Int, Int) async throws -> Page
        private var buffer: [Element] = []
        private var position = 0
        private var skip = 0
        private var finished = false

        init(pageSize: Int, fetch: @escaping @Sendable (Int, Int) async throws -> Page) {
            self.pageSize = pageSize
            self.fetch = fetch
        }

        /// The next entry, or `nil` after the last.
        public mutating func next() async throws -> Element? {
            while position == buffer.count {
                if finished { return nil }
                let page = try await fetch(skip, pageSize)
                buffer = page.items
                position = 0
                skip += page.items.count
                finished = page.items.count < pageSize || page.total.map { skip >= $0 } ?? false
                if buffer.isEmpty { return nil }
            }
            defer { position += 1 }
            return buffer[position]
        }
    }
}
