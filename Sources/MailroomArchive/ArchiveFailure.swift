/// Public because `MailroomError` appears in this file's public API.
public import Mailroom

/// An archive failure that did not stop a send, handed to ``ArchivingMailer``'s failure handler.
///
/// ```swift
/// let mailer = ArchivingMailer(wrapping: mailgun, store: store, policy: .failOpen) { failure in
///     await alerts.page("mail archive failing: \(failure)")
/// }
/// ```
public struct ArchiveFailure: Error, Sendable, CustomStringConvertible {
    /// Which write failed.
    public struct Stage: Sendable, Hashable, CustomStringConvertible {
        /// The stage's name.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// Recording the message (under ``ArchivePolicy/failOpen``, before and again after the send).
        public static let record = Stage("record")
        /// Recording the outcome of a send whose message was recorded as pending.
        public static let settle = Stage("settle")

        /// The name.
        public var description: String { name }
    }

    /// Which write failed.
    public var stage: Stage
    /// The archive id, when the message was recorded before the failure.
    public var archiveID: String?
    /// Whether the provider accepted the message.
    public var messageWasSent: Bool
    /// The archive's error.
    public var error: MailroomError

    /// Creates a failure report.
    ///
    /// - Parameters:
    ///   - stage: Which write failed.
    ///   - archiveID: The archive id, if recorded.
    ///   - messageWasSent: Whether the provider accepted the message.
    ///   - error: The archive's error.
    public init(stage: Stage, archiveID: String?, messageWasSent: Bool, error: MailroomError) {
        self.stage = stage
        self.archiveID = archiveID
        self.messageWasSent = messageWasSent
        self.error = error
    }

    /// `archive record failed (message sent): …`.
    public var description: String {
        "archive \(stage) failed (message \(messageWasSent ? "sent" : "not sent")): \(error)"
    }
}
