/// Public because `Email` and `Envelope` appear in this file's public API.
public import Mailroom

/// What the index records about a message besides its bytes: sender, recipients, subject, tags,
/// and the body text the full-text index reads.
///
/// Made from the `Email` being sent, or from a pre-rendered message's envelope and headers.
public struct ArchiveDetails: Sendable, Hashable {
    /// The sender as written.
    public var from: String
    /// Every recipient's address; stored lowercased.
    public var recipients: [String]
    /// The subject.
    public var subject: String
    /// The tags.
    public var tags: [String]
    /// The body's text for the full-text index, when the caller has it; `nil` lets the store read
    /// it from the message (its text part, or the HTML's text).
    public var text: String?

    /// Creates details.
    ///
    /// - Parameters:
    ///   - from: The sender.
    ///   - recipients: The recipients' addresses.
    ///   - subject: The subject.
    ///   - tags: The tags.
    ///   - text: The body's text; `nil` to read it from the message.
    public init(from: String, recipients: [String], subject: String, tags: [String] = [], text: String? = nil) {
        self.from = from
        self.recipients = recipients.map { $0.lowercased() }
        self.subject = subject
        self.tags = tags
        self.text = text
    }

    /// The details of `email`: its sender, To, Cc and Bcc, subject (or template name), tags and
    /// body text (its text, else its HTML's).
    ///
    /// - Parameter email: The message.
    public init(_ email: Email) {
        self.init(
            from: email.from.description,
            recipients: email.recipients.map(\.mailbox),
            subject: email.subject.isEmpty ? (email.template.map { "template \($0.name)" } ?? "") : email.subject,
            tags: email.options.tags,
            text: ArchiveText.body(of: email)
        )
    }

    /// The details of a pre-rendered message: the envelope's recipients and tags, and `From` and
    /// `Subject` as they appear in the message's head.
    ///
    /// - Parameters:
    ///   - head: The message's header section (or its first bytes; only `From` and `Subject` are read).
    ///   - envelope: Who it goes to and its options.
    public init(head: [UInt8], envelope: Envelope) {
        let headers = MIMEHeaderFields(head)
        self.init(
            from: headers.value("From") ?? "",
            recipients: envelope.recipients.map(\.mailbox),
            subject: headers.value("Subject") ?? "",
            tags: envelope.options.tags
        )
    }

    /// The lower-cased address in a sender as written (`Acme <hello@acme.test>`), or the text
    /// itself lower-cased when it does not parse: what a query by sender compares.
    package static func address(of sender: String) -> String {
        ((try? EmailAddress(sender, field: "from"))?.mailbox ?? sender).lowercased()
    }
}
