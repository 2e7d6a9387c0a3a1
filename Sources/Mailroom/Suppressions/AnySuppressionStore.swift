/// Public because `Logger` appears in this file's public API.
public import Logging

/// Any ``SuppressionStore`` behind one concrete type, so generic decorators such as
/// ``SuppressingMailer`` can take a store held as `any SuppressionStore`.
public struct AnySuppressionStore: SuppressionStore {
    /// The wrapped store.
    public let base: any SuppressionStore

    /// Wraps `base`.
    ///
    /// - Parameter base: Any suppression store.
    public init(_ base: any SuppressionStore) {
        self.base = base
    }

    /// Forwards to the wrapped store.
    public func add(_ suppression: Suppression, logger: Logger) async throws {
        try await base.add(suppression, logger: logger)
    }

    /// Forwards to the wrapped store.
    public func add(contentsOf suppressions: [Suppression], logger: Logger) async throws {
        try await base.add(contentsOf: suppressions, logger: logger)
    }

    /// Forwards to the wrapped store.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        try await base.get(kind, address: address, logger: logger)
    }

    /// Forwards to the wrapped store.
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        try await base.remove(kind, address: address, tag: tag, logger: logger)
    }

    /// Forwards to the wrapped store.
    public func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws {
        try await base.removeAll(kind, logger: logger)
    }

    /// Forwards to the wrapped store.
    public func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence {
        base.list(kind, pageSize: pageSize, logger: logger)
    }

    /// Forwards to the wrapped store, which may answer faster than asking each list.
    public func suppression(for address: EmailAddress, taggedWith tags: [String], logger: Logger) async throws -> Suppression? {
        try await base.suppression(for: address, taggedWith: tags, logger: logger)
    }

    /// Forwards to the wrapped store, which may answer a batch with one query.
    public func suppressions(for addresses: [EmailAddress], taggedWith tags: [String], logger: Logger) async throws -> [Suppression?] {
        try await base.suppressions(for: addresses, taggedWith: tags, logger: logger)
    }
}
