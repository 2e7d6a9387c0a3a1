/// One message sent to many recipients, each with their own variables (`%recipient.name%` in
/// Mailgun), and each seeing only their own address in `To`.
///
/// A batch of any size is valid; mailers send it in requests of at most
/// ``maximumRecipientsPerRequest`` recipients, each request with its own recipient variables.
///
/// ```swift
/// var batch = BatchEmail(email: newsletter)
/// batch.recipients = subscribers.map { .init($0.address, variables: ["name": $0.name]) }
/// let receipts = try await mailer.sendBatch(batch)
/// ```
public struct BatchEmail: Sendable, Hashable {
    /// The most recipients one provider request may carry: 1,000.
    public static let maximumRecipientsPerRequest = 1_000

    /// A recipient and the variables substituted for them.
    public struct Recipient: Sendable, Hashable {
        /// The recipient's address.
        public var address: EmailAddress
        /// Values for this recipient, by name.
        public var variables: [String: String]

        /// Creates a recipient.
        ///
        /// - Parameters:
        ///   - address: The recipient's address.
        ///   - variables: Values for this recipient. Default: none.
        public init(_ address: EmailAddress, variables: [String: String] = [:]) {
            self.address = address
            self.variables = variables
        }
    }

    /// The message; its ``Email/to``, ``Email/cc`` and ``Email/bcc`` must be empty, since
    /// ``recipients`` replaces them.
    public var email: Email
    /// Everyone the message goes to.
    public var recipients: [Recipient]

    /// Creates a batch.
    ///
    /// - Parameters:
    ///   - email: The message, without recipients of its own.
    ///   - recipients: Everyone the message goes to.
    public init(email: Email, recipients: [Recipient] = []) {
        self.email = email
        self.recipients = recipients
    }

    /// The batch split into batches of at most `size` recipients, in order.
    ///
    /// - Parameter size: The largest chunk. Default ``maximumRecipientsPerRequest``.
    /// - Returns: One batch per provider request.
    public func chunked(by size: Int = maximumRecipientsPerRequest) -> [BatchEmail] {
        let size = max(1, size)
        return stride(from: 0, to: recipients.count, by: size).map { start in
            BatchEmail(email: email, recipients: Array(recipients[start..<min(start + size, recipients.count)]))
        }
    }

    /// The message as sent in one request: ``email`` with `to` set to these recipients.
    public var requestEmail: Email {
        var request = email
        request.to = recipients.map(\.address)
        return request
    }

    /// Checks the message and every recipient.
    ///
    /// - Throws: ``MailroomError`` naming `recipients`, `recipients[i]`, `recipients[i].variables`,
    ///   `cc`/`bcc` when the message has its own, or any field of the message.
    public func validate() throws {
        if recipients.isEmpty { throw MailroomError.missingField("recipients", "a batch needs at least one recipient") }
        for (field, list) in [("to", email.to), ("cc", email.cc), ("bcc", email.bcc)] where !list.isEmpty {
            throw MailroomError.invalidValue(field: field, "a batch takes its recipients from `recipients`, not from the message")
        }
        for (index, recipient) in recipients.enumerated() {
            try recipient.address.validate(field: "recipients[\(index)]")
            for name in recipient.variables.keys.sorted() {
                try HeaderText.check(name, field: "recipients[\(index)].variables")
            }
        }
        var first = email
        first.to = [recipients[0].address]
        try first.validate()
    }
}
