import Mailroom

/// What a ``FileArchiveStore`` promises once ``ArchiveStore/record(_:details:outcome:logger:)``
/// returns, and so how often it waits for the disk.
///
/// | | A killed process (`SIGKILL`, a crash) | A power cut or kernel panic | Disk flushes per record, one at a time |
/// | --- | --- | --- | --- |
/// | ``full`` | kept | kept | 3: the message file, its folder, the index's commit |
/// | ``processCrash`` | kept | may be lost | none |
///
/// Concurrent records share the folder's flush and the index's commit (group commit), so under
/// load a record costs little more than its own file's flush. An outcome (`settle`) is committed
/// without a flush of its own: it survives a killed process at once, and a power cut from the next
/// record's commit on; until then a power cut leaves the message ``ArchiveState/pending``, as an
/// interrupted send does.
public struct ArchiveDurability: Sendable, Hashable, CustomStringConvertible {
    /// The name: `full` or `process-crash`.
    public let name: String

    private init(_ name: String) { self.name = name }

    /// Survives a power cut: every file and commit is flushed to the disk before `record` returns.
    /// The default.
    public static let full = ArchiveDurability("full")

    /// Survives a killed process but not a power cut: the bytes are in the operating system's
    /// cache when `record` returns, and reach the disk when it writes them back.
    public static let processCrash = ArchiveDurability("process-crash")

    /// Both, in the order above.
    public static let all: [ArchiveDurability] = [.full, .processCrash]

    /// The durability with this name.
    ///
    /// - Parameters:
    ///   - name: `full` or `process-crash`.
    ///   - field: The input field to name in the error.
    /// - Throws: `MailroomError.Code.invalidValue` naming `field` for any other name.
    public static func named(_ name: String, field: String = "durability") throws -> ArchiveDurability {
        guard let durability = all.first(where: { $0.name == name }) else {
            throw MailroomError.invalidValue(field: field, "'\(name.prefix(40))' is not a durability; use full or process-crash")
        }
        return durability
    }

    /// Whether files and commits are flushed to the disk.
    var flushes: Bool { self == .full }

    /// The name.
    public var description: String { name }
}
