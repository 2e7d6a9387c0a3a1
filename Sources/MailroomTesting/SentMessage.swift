/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Email`, `Envelope` and `SendReceipt` appear in this file's public API.
public import Mailroom

/// One send ``InMemoryMailer`` accepted: what was asked, the MIME it rendered, and the receipt.
public struct SentMessage: Sendable {
    /// The message, for ``InMemoryMailer/send(_:logger:)`` and each batch request; `nil` for MIME sends.
    public let email: Email?
    /// The RFC 5322 bytes: rendered from ``email``, or as given to `sendMIME`.
    public let mime: [UInt8]
    /// Who it went to and with which options.
    public let envelope: Envelope
    /// What the caller got back.
    public let receipt: SendReceipt
    /// When it was accepted, by the mailer's clock.
    public let date: Date

    /// The MIME as text (it is ASCII by construction for rendered messages).
    public var mimeText: String { String(decoding: mime, as: UTF8.self) }

    /// Whether `address` was among the envelope recipients.
    public func isAddressed(to address: EmailAddress) -> Bool {
        envelope.recipients.contains { $0.mailbox.lowercased() == address.mailbox.lowercased() }
    }

    /// Whether the subject contains `text`.
    public func subjectContains(_ text: String) -> Bool {
        email?.subject.contains(text) ?? false
    }

    /// Whether the text, HTML or AMP body contains `text`.
    public func bodyContains(_ text: String) -> Bool {
        guard let email else { return mimeText.contains(text) }
        return [email.text, email.html, email.ampHTML].contains { $0?.contains(text) ?? false }
    }

    /// Whether an attachment called `filename` was sent, with exactly `bytes` when given.
    public func hasAttachment(named filename: String, bytes: [UInt8]? = nil) -> Bool {
        guard let attachment = email?.attachments.first(where: { $0.filename == filename }) else { return false }
        guard let bytes else { return true }
        return attachmentBytes(attachment) == bytes
    }

    /// Whether the message carried `tag`.
    public func hasTag(_ tag: String) -> Bool {
        envelope.options.tags.contains(tag)
    }

    /// The value of the custom variable `name`, if it was set.
    public func variable(_ name: String) -> String? {
        envelope.options.variables[name]
    }

    private func attachmentBytes(_ attachment: Attachment) -> [UInt8]? {
        if let bytes = attachment.source.bytes { return bytes }
        return attachment.source.filePath.flatMap { FileManager.default.contents(atPath: $0) }.map { [UInt8]($0) }
    }
}
