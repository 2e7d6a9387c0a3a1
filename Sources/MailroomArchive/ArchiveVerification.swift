/// What ``ArchiveStore/verify()`` checked and found.
///
/// Damage (``Finding/isDamage``) means a message cannot be read back as recorded. The other
/// findings are facts worth knowing after a crash that lost nothing: a write that was interrupted
/// before it became part of the store, a message file the index does not list (a record stopped
/// between its file and its commit, or a prune between its commit and its files), a send whose
/// outcome was never recorded.
public struct ArchiveVerification: Sendable, Hashable {
    /// One thing found.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        /// What kind of thing.
        public var kind: Kind
        /// The archive id concerned, when there is one.
        public var id: String?
        /// The file concerned, relative to the store's directory.
        public var path: String
        /// A human explanation.
        public var detail: String

        /// Creates a finding.
        ///
        /// - Parameters:
        ///   - kind: What kind of thing.
        ///   - id: The archive id.
        ///   - path: The file, relative to the store.
        ///   - detail: The explanation.
        public init(kind: Kind, id: String?, path: String, detail: String) {
            self.kind = kind
            self.id = id
            self.path = path
            self.detail = detail
        }

        /// Whether a message cannot be read back as recorded.
        public var isDamage: Bool { kind == .corrupt || kind == .missing }

        /// `kind id: detail (path)`.
        public var description: String {
            "\(kind) \(id ?? "-"): \(detail) (\(path))"
        }
    }

    /// The kinds of finding.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// The kind's name.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// Damage: the file does not decompress, or its bytes do not match the recorded size or SHA-256.
        public static let corrupt = Kind("corrupt")
        /// Damage: the index names a message whose file is gone.
        public static let missing = Kind("missing")
        /// A temporary file left by a write that was interrupted; it never became part of the store.
        public static let interruptedWrite = Kind("interrupted-write")
        /// A message file the index does not list: its record stopped before the commit (so no
        /// caller was told it was recorded), or a prune stopped before removing it.
        /// `FileArchiveStore.reindex()` indexes it from its own headers as ``ArchiveState/pending``;
        /// `prune` removes it once it is older than the cut-off.
        public static let orphaned = Kind("orphaned")
        /// A message whose send outcome was never recorded.
        public static let pending = Kind("pending")

        /// The name.
        public var description: String { name }
    }

    /// How many messages were read and checked.
    public var checked: Int
    /// Everything found, damage first.
    public var findings: [Finding]

    /// Creates a report.
    ///
    /// - Parameters:
    ///   - checked: Messages checked.
    ///   - findings: What was found.
    public init(checked: Int, findings: [Finding]) {
        self.checked = checked
        self.findings = findings.filter(\.isDamage) + findings.filter { !$0.isDamage }
    }

    /// The findings that are damage.
    public var damage: [Finding] { findings.filter(\.isDamage) }

    /// Whether every message reads back exactly as recorded.
    public var isIntact: Bool { damage.isEmpty }
}
