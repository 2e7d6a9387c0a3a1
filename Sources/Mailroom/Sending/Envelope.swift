/// Who receives a pre-rendered MIME message, and how it is delivered.
///
/// A MIME send does not read recipients from the message's headers: the envelope names them, so
/// Bcc recipients (absent from the headers) are reached too.
public struct Envelope: Sendable, Hashable {
    /// The recipients to deliver to.
    public var recipients: [EmailAddress]
    /// Tags, variables, schedule, test mode, tracking and provider options.
    public var options: SendOptions

    /// Creates an envelope.
    ///
    /// - Parameters:
    ///   - recipients: The recipients to deliver to.
    ///   - options: Delivery options. Default: none.
    public init(recipients: [EmailAddress], options: SendOptions = SendOptions()) {
        self.recipients = recipients
        self.options = options
    }

    /// The envelope for `email`: all of its recipients (Bcc included) and its options.
    ///
    /// - Parameter email: The message whose recipients and options to take.
    public init(for email: Email) {
        self.init(recipients: email.recipients, options: email.options)
    }

    /// Checks the recipients (at least one, at most ``Email/maximumRecipients``) and options.
    ///
    /// - Throws: ``MailroomError`` naming `recipients`, `recipients[i]`, `tags[i]` or `variables[name]`.
    public func validate() throws {
        if recipients.isEmpty { throw MailroomError.missingField("recipients", "at least one recipient is required") }
        if recipients.count > Email.maximumRecipients {
            throw MailroomError.tooManyRecipients(field: "recipients", count: recipients.count, limit: Email.maximumRecipients)
        }
        for (index, recipient) in recipients.enumerated() {
            try recipient.validate(field: "recipients[\(index)]")
        }
        try options.validate()
    }
}
