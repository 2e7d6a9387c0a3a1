public import Logging
public import Mailroom
public import MailroomTesting

/// An in-memory suppression store whose first `failures` single adds fail with a transient
/// storage error, as a busy disk or database would; it counts the adds that succeeded.
public actor FlakySuppressionStore: SuppressionStore {
    /// Where the adds that succeed go.
    public let base = InMemorySuppressionStore()
    private var failures: Int
    /// How many single adds succeeded.
    public private(set) var writes = 0

    /// Creates a store that fails its first `failures` adds.
    public init(failures: Int) { self.failures = failures }

    /// Fails while failures are left, then adds to ``base``.
    public func add(_ suppression: Suppression, logger: Logger) async throws {
        if failures > 0 {
            failures -= 1
            throw MailroomError(code: .storage, message: "disk unavailable", isTransient: true)
        }
        writes += 1
        try await base.add(suppression, logger: logger)
    }

    /// Forwards to ``base``.
    public func add(contentsOf suppressions: [Suppression], logger: Logger) async throws { try await base.add(contentsOf: suppressions, logger: logger) }
    /// Forwards to ``base``.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? { try await base.get(kind, address: address, logger: logger) }
    /// Forwards to ``base``.
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws { try await base.remove(kind, address: address, tag: tag, logger: logger) }
    /// Forwards to ``base``.
    public func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws { try await base.removeAll(kind, logger: logger) }
    /// Forwards to ``base``.
    public nonisolated func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence { base.list(kind, pageSize: pageSize, logger: logger) }
}
