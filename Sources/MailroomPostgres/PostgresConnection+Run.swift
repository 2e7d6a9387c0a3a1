import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `query` with its binds. The one overload taking a `PostgresQuery` only: a literal with
    /// `\(value)` interpolations then always becomes binds, never an interpolated `String` (which
    /// `query(_:)` would also accept, through an older `EventLoopFuture` overload).
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension AsyncSequence {
    /// Every element, in order (the results here are small: one row per address looked up, a page).
    func all() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
