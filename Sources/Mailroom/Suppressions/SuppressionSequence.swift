/// The entries of one suppression list, fetched a page at a time as they are iterated.
///
/// Implementations supply a page fetcher; iteration ends after a page with no next cursor, or at
/// the first empty page (Mailgun's rule for the end of a list).
///
/// ```swift
/// for try await unsubscribe in store.list(.unsubscribe) { logger.info("\(unsubscribe.address)") }
/// ```
public struct SuppressionSequence: AsyncSequence, Sendable {
    /// One suppression.
    public typealias Element = Suppression

    /// One page of a list and where the next one starts.
    public struct Page: Sendable {
        /// The entries on this page.
        public var items: [Suppression]
        /// The cursor of the next page (a URL for Mailgun), or `nil` at the end.
        public var next: String?

        /// Creates a page.
        ///
        /// - Parameters:
        ///   - items: The entries.
        ///   - next: The next page's cursor, `nil` at the end.
        public init(items: [Suppression], next: String?) {
            self.items = items
            self.next = next
        }
    }

    private let fetch: @Sendable (_ cursor: String?) async throws -> Page

    /// Creates a sequence from a page fetcher.
    ///
    /// - Parameter fetch: Returns the page at `cursor`, the first page for `nil`.
    public init(fetch: @escaping @Sendable (_ cursor: String?) async throws -> Page) {
        self.fetch = fetch
    }

    /// Every entry at once; meant for small lists.
    ///
    /// - Returns: The entries in list order.
    /// - Throws: The fetcher's error.
    public func collect() async throws -> [Suppression] {
        var all: [Suppression] = []
        for try await item in self { all.append(item) }
        return all
    }

    /// Starts fetching.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(fetch: fetch)
    }

    /// Walks the pages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let fetch: @Sendable (String?) async throws -> Page
        private var buffer: [Suppression] = []
        private var position = 0
        private var cursor: String?
        private var started = false

        init(fetch: @escaping @Sendable (String?) async throws -> Page) {
            self.fetch = fetch
        }

        /// The next entry, or `nil` after the last.
        public mutating func next() async throws -> Suppression? {
            while position == buffer.count {
                if started && cursor == nil { return nil }
                let page = try await fetch(cursor)
                started = true
                buffer = page.items
                position = 0
                cursor = page.items.isEmpty ? nil : page.next
                if page.items.isEmpty { return nil }
            }
            defer { position += 1 }
            return buffer[position]
        }
    }
}
