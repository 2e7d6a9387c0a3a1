import Mailroom

/// What ``ArchivingMailer`` does when the archive cannot record a message before the send.
///
/// A struct with static members, so that adding a policy breaks no caller's `switch`.
public struct ArchivePolicy: Sendable, Hashable, CustomStringConvertible {
    /// The policy's name: `fail-closed` or `fail-open`, as `MAILROOM_ARCHIVE_POLICY` spells it.
    public let name: String

    private init(_ name: String) { self.name = name }

    /// Nothing is sent unless the archive recorded it first: the send throws the archive's error.
    /// For deployments that must keep everything they send.
    public static let failClosed = ArchivePolicy("fail-closed")

    /// The message is sent anyway; the archive tries again after the send, and if it still
    /// cannot record it, the failure goes to the logger and the failure handler.
    public static let failOpen = ArchivePolicy("fail-open")

    /// The policy with this name.
    ///
    /// - Parameters:
    ///   - name: `fail-closed` or `fail-open`.
    ///   - field: The input field to name in the error.
    /// - Throws: `MailroomError.Code.invalidValue` naming `field` for any other name.
    public static func named(_ name: String, field: String = "policy") throws -> ArchivePolicy {
        switch name {
        case failClosed.name: return .failClosed
        case failOpen.name: return .failOpen
        default: throw MailroomError.invalidValue(field: field, "'\(name.prefix(40))' is not a policy; use fail-closed or fail-open")
        }
    }

    /// The name.
    public var description: String { name }
}
