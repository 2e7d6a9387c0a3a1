import Foundation

/// An email message: who sends it to whom, what it says, and how it is delivered.
///
/// `Email` is a plain value: build it, copy it, compare it. Recipients in ``to``, ``cc`` and ``bcc``
/// form the envelope; ``bcc`` never appears in the rendered headers.
///
/// ```swift
/// var email = Email(from: "Acme <hello@acme.test>", to: ["zoe@example.com"], subject: "Welcome, Zoë")
/// email.text = "Hi Zoë, welcome aboard."
/// email.html = "<p>Hi Zoë, <b>welcome</b> aboard.</p>"
/// email.attachments = [try .file(at: invoicePath)]
/// email.options.tags = ["welcome"]
/// try email.validate()
/// ```
///
/// Every ``Mailer`` calls ``validate()`` before it sends, so a malformed value is reported with the
/// field at fault and nothing is sent.
public struct Email: Sendable, Hashable {
    /// The most recipients (to, cc and bcc together) one message may have: 1,000.
    public static let maximumRecipients = 1_000

    /// The sender.
    public var from: EmailAddress
    /// Where replies go, when not to ``from``.
    public var replyTo: [EmailAddress]
    /// The primary recipients.
    public var to: [EmailAddress]
    /// The carbon-copy recipients.
    public var cc: [EmailAddress]
    /// The blind-carbon-copy recipients: in the envelope, never in the headers.
    public var bcc: [EmailAddress]
    /// The subject line; may be empty only when a ``template`` supplies it.
    public var subject: String
    /// The plain-text body.
    public var text: String?
    /// The HTML body.
    public var html: String?
    /// The AMP for Email body (`text/x-amp-html`).
    public var ampHTML: String?
    /// Attachments and inline parts, in order.
    public var attachments: [Attachment]
    /// Custom header lines, in order; names may repeat.
    public var headers: [EmailHeader]
    /// A provider-side template to render instead of, or besides, the bodies.
    public var template: EmailTemplate?
    /// Delivery options: tags, variables, schedule, test mode, tracking, TLS, provider options.
    public var options: SendOptions

    /// Creates a message; everything not given starts empty.
    ///
    /// - Parameters:
    ///   - from: The sender.
    ///   - to: The primary recipients.
    ///   - cc: The carbon-copy recipients.
    ///   - bcc: The blind-carbon-copy recipients.
    ///   - subject: The subject line.
    ///   - text: The plain-text body.
    ///   - html: The HTML body.
    public init(
        from: EmailAddress,
        to: [EmailAddress],
        cc: [EmailAddress] = [],
        bcc: [EmailAddress] = [],
        subject: String = "",
        text: String? = nil,
        html: String? = nil
    ) {
        self.from = from
        self.replyTo = []
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.subject = subject
        self.text = text
        self.html = html
        self.ampHTML = nil
        self.attachments = []
        self.headers = []
        self.template = nil
        self.options = SendOptions()
    }

    /// Every envelope recipient: ``to``, then ``cc``, then ``bcc``.
    public var recipients: [EmailAddress] {
        // Most messages have `to` alone: no new array for them.
        cc.isEmpty && bcc.isEmpty ? to : to + cc + bcc
    }

    /// Checks everything a provider would reject, before anything is sent.
    ///
    /// The rules: a valid sender; at least one and at most ``maximumRecipients`` valid recipients;
    /// a subject unless a template is used; at least one of text, HTML, AMP HTML or a template; no
    /// line break or control character in any header-bearing field (subject, names, custom headers,
    /// file names, tags); well-formed attachments, headers and options.
    ///
    /// - Throws: ``MailroomError`` whose ``MailroomError/field`` names the first field at fault.
    public func validate() throws {
        if from.mailbox.isEmpty { throw MailroomError.missingField("from", "a sender is required") }
        try from.validate(field: "from")
        try Self.validate(replyTo, "reply-to")
        try Self.validate(to, "to")
        try Self.validate(cc, "cc")
        try Self.validate(bcc, "bcc")
        let count = to.count + cc.count + bcc.count
        if count == 0 {
            throw MailroomError.missingField("to", "at least one recipient (to, cc or bcc) is required")
        }
        if count > Self.maximumRecipients {
            throw MailroomError.tooManyRecipients(field: "to", count: count, limit: Self.maximumRecipients)
        }
        try HeaderText.check(subject, field: "subject")
        if HeaderText.isBlank(subject) && template == nil {
            throw MailroomError.missingField("subject", "a subject is required unless a template is used")
        }
        if text == nil && html == nil && ampHTML == nil && template == nil {
            throw MailroomError.missingField("text", "need at least one of text, html, AMP html or a template")
        }
        try template?.validate()
        try validateAttachments()
        for (index, header) in headers.enumerated() {
            try header.validate(field: "headers[\(index)]")
        }
        try options.validate()
    }

    /// Checks each address, naming `list[index]` in an error; the name is built only for an error,
    /// since this runs for every recipient of every send.
    private static func validate(_ addresses: [EmailAddress], _ list: String) throws {
        for (index, address) in addresses.enumerated() {
            do {
                try address.validate(field: list)
            } catch var error as MailroomError {
                error.field = "\(list)[\(index)]"
                throw error
            }
        }
    }

    private func validateAttachments() throws {
        var contentIDs: Set<String> = []
        for (index, attachment) in attachments.enumerated() {
            try attachment.validate(field: "attachments[\(index)]")
            guard attachment.disposition == .inline else { continue }
            let contentID = attachment.contentID ?? attachment.filename
            if !contentIDs.insert(contentID).inserted {
                throw MailroomError.invalidValue(
                    field: "attachments[\(index)].contentID",
                    "the Content-ID '\(contentID)' is used by two inline parts"
                )
            }
        }
    }
}
