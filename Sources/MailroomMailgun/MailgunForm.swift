import Foundation
import Mailroom

/// Turns messages and options into Mailgun's form fields (`from`, `to`, `o:tag`, `h:…`, `v:…`,
/// `t:…`, files), in a stable order.
enum MailgunForm {
    /// Mailgun's limit on `o:`, `h:`, `v:` and `t:` parameters together.
    static let sendOptionsLimit = 16 * 1_024

    /// A field's bytes besides its value, about: the random boundary, the framing and a name of
    /// up to 32 bytes.
    private static let fieldFraming = MultipartFormBody.fieldByteCount(name: "", value: "", boundaryLength: MultipartFormBody.randomBoundaryLength) + 32

    /// The body of `POST /v3/{domain}/messages` for `email`: its fields, then its files; `boundary`
    /// is random when `nil`.
    static func body(for email: Email, mailgun: MailgunOptions, recipientVariables: String? = nil, boundary: String? = nil) throws -> MultipartFormBody {
        // Written straight into the body (no list of fields in between): this runs for every send.
        // The capacity covers the usual fields; a message with more grows its buffer once or twice.
        let fieldCount = 8 + email.to.count + email.cc.count + email.bcc.count + email.headers.count + email.options.tags.count
        let valueBytes = email.subject.utf8.count + (email.text?.utf8.count ?? 0) + (email.html?.utf8.count ?? 0) + (email.ampHTML?.utf8.count ?? 0)
        var form = Fields(boundary: boundary, capacity: fieldCount * Self.fieldFraming + valueBytes)
        form.address("from", email.from)
        for address in email.to { form.address("to", address) }
        for address in email.cc { form.address("cc", address) }
        for address in email.bcc { form.address("bcc", address) }
        if !email.subject.isEmpty { form.field("subject", email.subject) }
        if let text = email.text { form.field("text", text) }
        if let html = email.html { form.field("html", html) }
        if let amp = email.ampHTML { form.field("amp-html", amp) }
        if !email.replyTo.isEmpty { form.field("h:Reply-To", email.replyTo.map(\.description).joined(separator: ", ")) }
        if let template = email.template {
            form.field("template", template.name)
            if let version = template.version { form.field("t:version", version) }
            if template.rendersText { form.field("t:text", "yes") }
            if let variables = template.variablesJSON { form.field("t:variables", variables) }
        }
        for header in email.headers { form.field("h:\(header.name)", header.value) }
        try appendOptionFields(email.options, mailgun: mailgun, to: &form)
        if let recipientVariables { form.field("recipient-variables", recipientVariables) }
        try form.checkSize()

        for attachment in email.attachments {
            let name = attachment.disposition == .inline ? "inline" : "attachment"
            // Mailgun names an inline part's Content-ID after its file name.
            let filename = attachment.disposition == .inline ? (attachment.contentID ?? attachment.filename) : attachment.filename
            form.builder.appendFile(name: name, filename: filename, contentType: attachment.contentType, content: .attachment(attachment))
        }
        return form.builder.finish()
    }

    /// The body of `POST /v3/{domain}/messages.mime`: the envelope's recipients and options, then
    /// the message as the `message` file.
    static func mimeBody(for message: MIMEMessage, envelope: Envelope, mailgun: MailgunOptions, boundary: String? = nil) throws -> MultipartFormBody {
        var form = Fields(boundary: boundary, capacity: (8 + envelope.recipients.count) * Self.fieldFraming)
        for recipient in envelope.recipients { form.address("to", recipient) }
        try appendOptionFields(envelope.options, mailgun: mailgun, to: &form)
        try form.checkSize()
        form.builder.appendFile(name: "message", filename: "message.mime", contentType: "message/rfc822", content: .message(message))
        return form.builder.finish()
    }

    /// Appends the `o:` and `v:` fields for shared and Mailgun-specific options to `form`, after
    /// validating the Mailgun-specific ones (the shared ones were checked by the caller's
    /// `Email.validate()` or `Envelope.validate()`, which every send runs first). `mailgun` is
    /// `options.mailgun`, which the caller has read already.
    private static func appendOptionFields(_ options: SendOptions, mailgun: MailgunOptions, to form: inout Fields) throws {
        try mailgun.validate()
        for tag in options.tags { form.field("o:tag", tag) }
        if let date = options.deliveryTime { form.field("o:deliverytime", rfc2822(date, in: mailgun.deliveryTimeZone)) }
        if let period = mailgun.deliveryTimeOptimizePeriod { form.field("o:deliverytime-optimize-period", "\(period)h") }
        if let local = mailgun.timeZoneLocalize { form.field("o:time-zone-localize", local) }
        if options.testMode { form.field("o:testmode", "yes") }
        if let enabled = options.tracking.enabled { form.field("o:tracking", yesNo(enabled)) }
        if let clicks = options.tracking.clicks { form.field("o:tracking-clicks", clicks.description) }
        if let opens = options.tracking.opens { form.field("o:tracking-opens", yesNo(opens)) }
        if let tls = options.requireTLS { form.field("o:require-tls", yesNo(tls)) }
        if let skip = options.skipVerification { form.field("o:skip-verification", yesNo(skip)) }
        if let dkim = mailgun.dkim { form.field("o:dkim", yesNo(dkim)) }
        if let value = mailgun.secondaryDKIM { form.field("o:secondary-dkim", value) }
        if let value = mailgun.secondaryDKIMPublic { form.field("o:secondary-dkim-public", value) }
        if let value = mailgun.sendingIP { form.field("o:sending-ip", value) }
        if let value = mailgun.sendingIPPool { form.field("o:sending-ip-pool", value) }
        if let value = mailgun.trackingPixelLocationTop { form.field("o:tracking-pixel-location-top", value) }
        if let value = mailgun.archiveTo { form.field("o:archive-to", value) }
        if !mailgun.suppressHeaders.isEmpty { form.field("o:suppress-headers", mailgun.suppressHeaders.joined(separator: ",")) }
        if !options.variables.isEmpty {
            for name in options.variables.keys.sorted() { form.field("v:\(name)", options.variables[name] ?? "") }
        }
        for extra in mailgun.extra { form.field(extra.name, extra.value) }
    }

    /// `o:deliverytime`'s RFC 2822 form in the chosen zone: `Sat, 21 Nov 2026 11:00:00 +0100`.
    static func rfc2822(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    private static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    /// A form being written, with the size of its `o:`, `h:`, `v:` and `t:` fields, which Mailgun
    /// limits to 16 KB together.
    private struct Fields {
        var builder: MultipartFormBody.Builder
        private var sendOptionsSize = 0

        init(boundary: String?, capacity: Int) {
            builder = MultipartFormBody.Builder(boundary: boundary, capacity: capacity)
        }

        mutating func field(_ name: String, _ value: String) {
            // A byte look at the name's prefix: this runs for every field of every send.
            var bytes = name.utf8.makeIterator()
            if let first = bytes.next(), bytes.next() == UInt8(ascii: ":") {
                switch first {
                case UInt8(ascii: "o"), UInt8(ascii: "h"), UInt8(ascii: "v"), UInt8(ascii: "t"): sendOptionsSize += name.utf8.count + value.utf8.count
                default: break
                }
            }
            builder.appendField(name: name, value: value)
        }

        /// An address field, as the address's description, without making the description
        /// when the name goes in as it is (the common case: this runs for every address of every send).
        mutating func address(_ name: String, _ address: EmailAddress) {
            if let displayName = address.verbatimDisplayName {
                builder.appendField(name: name, displayName: displayName, mailbox: address.mailbox)
            } else {
                builder.appendField(name: name, value: address.description)
            }
        }

        /// Refuses requests whose send options pass Mailgun's 16 KB, before sending.
        func checkSize() throws {
            if sendOptionsSize > sendOptionsLimit {
                throw MailroomError.invalidValue(field: "options", "send options (o:, h:, v:, t:) are \(sendOptionsSize) bytes; Mailgun allows \(sendOptionsLimit)")
            }
        }
    }
}
