/// Public because `ArchiveStore` appears in this file's public API.
public import MailroomArchive

/// One `ArchiveStore` implementation, as the archive conformance checks drive it: a store on an
/// empty archive, the clock it records by, and the ways in which a check looks at (and damages)
/// what it stored, as an operator's tools would.
///
/// ```swift
/// let clock = ConformanceClock()
/// let store = try FileArchiveStore(directory: path, configuration: .init(now: { clock.now }))
/// let subject = ArchiveSubject(
///     name: "file", store: store, clock: clock,
///     reopen: { try FileArchiveStore(directory: path) },
///     storedBytes: { id in try? Data(contentsOf: fileURL(id)).map { Array($0) } },
///     replaceStoredBytes: { id, bytes in try write(bytes, to: fileURL(id)) }
/// )
/// for check in ArchiveConformance.checks { try await check.run(on: subject) }
/// ```
public struct ArchiveSubject: Sendable {
    /// A name for reports, e.g. `file` or `postgres`.
    public var name: String
    /// The store, on an empty archive, recording by ``clock``.
    public var store: any ArchiveStore
    /// The clock the store reads the recording time from; checks move it.
    public var clock: ConformanceClock
    /// Another store on the same archive, as another process or instance would open it.
    public var reopen: @Sendable () async throws -> any ArchiveStore
    /// The gzip bytes stored for an id, exactly as kept, or `nil` when none are.
    public var storedBytes: @Sendable (String) async throws -> [UInt8]?
    /// Replaces the gzip bytes stored for an id (`nil` removes them), as damage would.
    public var replaceStoredBytes: @Sendable (String, [UInt8]?) async throws -> Void

    /// Creates a subject.
    ///
    /// - Parameters:
    ///   - name: A name for reports.
    ///   - store: The store, on an empty archive, recording by `clock`.
    ///   - clock: The store's clock.
    ///   - reopen: Opens another store on the same archive.
    ///   - storedBytes: Reads the stored gzip bytes of an id.
    ///   - replaceStoredBytes: Overwrites or removes them.
    public init(
        name: String,
        store: any ArchiveStore,
        clock: ConformanceClock,
        reopen: @escaping @Sendable () async throws -> any ArchiveStore,
        storedBytes: @escaping @Sendable (String) async throws -> [UInt8]?,
        replaceStoredBytes: @escaping @Sendable (String, [UInt8]?) async throws -> Void
    ) {
        self.name = name
        self.store = store
        self.clock = clock
        self.reopen = reopen
        self.storedBytes = storedBytes
        self.replaceStoredBytes = replaceStoredBytes
    }
}
