/// One behavioural check of the archive conformance suite; run it on a fresh ``ArchiveSubject``.
public struct ArchiveConformanceCheck: Sendable, CustomStringConvertible {
    /// What the check verifies, e.g. `settling updates the entry; another store sees it`.
    public let name: String
    let body: @Sendable (ArchiveSubject, ConformanceCheck.Context) async throws -> Void

    /// The check's name.
    public var description: String { name }

    /// Runs the check.
    ///
    /// - Parameter subject: A store on an empty archive.
    /// - Throws: ``ConformanceFailure`` when the store behaves differently, or the store's
    ///   unexpected error.
    public func run(on subject: ArchiveSubject) async throws {
        try await body(subject, ConformanceCheck.Context(check: name, implementation: subject.name))
    }
}
