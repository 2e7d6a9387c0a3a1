import Foundation
import Mailroom

/// Turns messages and options into Mailgun's form fields (`from`, `to`, `o:tag`, `h:…`, `v:…`,
/// `t:…`, files), in a stable order.
enum MailgunForm {
    /// Mailgun's limit on `o:`, `h:`, `v:` and `t:` parameters together.
    static let sendOptionsLimit = 16 * 1_024

    /// A field's bytes besides its name and value: the random boundary and the framing.
    private static let fieldFraming = MultipartFormBody.fieldByteCount(name: "", value: "", boundaryLength: MultipartFormBody.randomBoundaryLength)

    /// What a field's name is allowed in a capacity estimate: the names Mailroom writes itself
    /// (`from`, `subject`, `amp-html`, most `o:` options) are this long or shorter.
    private static let nameAllowance = 16

    /// The body of `POST /v3/{domain}/messages` for `email`: its fields, then its files. `mailgun`
    /// is `email.options.mailgun`, `nil` for the defaults; `boundary` is random when `nil`.
    static func body(for email: Email, mailgun: MailgunOptions?, recipientVariables: String? = nil, boundary: String? = nil) throws -> MultipartFormBody {
        // Written straight into the body (no list of fields in between): this runs for every send.
        var form = Fields(boundary: boundary, capacity: estimatedByteCount(of: email, mailgun: mailgun, recipientVariables: recipientVariables))
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
    /// the message as the `message` file. `mailgun` is as for ``body(for:mailgun:recipientVariables:boundary:)``.
    static func mimeBody(for message: MIMEMessage, envelope: Envelope, mailgun: MailgunOptions?, boundary: String? = nil) throws -> MultipartFormBody {
        let recipientBytes = envelope.recipients.reduce(0) { $0 + fieldFraming + nameAllowance + addressByteCount($1) }
        var form = Fields(boundary: boundary, capacity: recipientBytes + optionsByteCount(envelope.options, mailgun: mailgun))
        for recipient in envelope.recipients { form.address("to", recipient) }
        try appendOptionFields(envelope.options, mailgun: mailgun, to: &form)
        try form.checkSize()
        form.builder.appendFile(name: "message", filename: "message.mime", contentType: "message/rfc822", content: .message(message))
        return form.builder.finish()
    }

    /// About the bytes of `email`'s fields and the closing delimiter, so that the buffer is
    /// allocated once and no larger than it needs (NIO rounds a capacity up to a power of two, and
    /// a small send's body then stays in the allocator's per-thread cache: an estimate of twice the
    /// body put it on malloc's slow path, which showed in the send path's profile). An estimate
    /// that falls short only grows the buffer.
    private static func estimatedByteCount(of email: Email, mailgun: MailgunOptions?, recipientVariables: String?) -> Int {
        let field = fieldFraming + nameAllowance
        var total = MultipartFormBody.randomBoundaryLength + 6  // `--B--\r\n`
        total += field + addressByteCount(email.from)
        for address in email.to { total += field + addressByteCount(address) }
        for address in email.cc { total += field + addressByteCount(address) }
        for address in email.bcc { total += field + addressByteCount(address) }
        total += field + email.subject.utf8.count
        if let text = email.text { total += field + text.utf8.count }
        if let html = email.html { total += field + html.utf8.count }
        if let amp = email.ampHTML { total += field + amp.utf8.count }
        if !email.replyTo.isEmpty { total += field + email.replyTo.reduce(0) { $0 + addressByteCount($1) + 2 } }
        if let template = email.template { total += 4 * field + template.name.utf8.count + (template.variablesJSON?.utf8.count ?? 0) + (template.version?.utf8.count ?? 0) }
        for header in email.headers { total += field + header.name.utf8.count + header.value.utf8.count }
        total += optionsByteCount(email.options, mailgun: mailgun)
        if let recipientVariables { total += field + recipientVariables.utf8.count }
        return total
    }

    /// About the bytes of an address in a field: its name, quoted, and its mailbox in angle brackets.
    private static func addressByteCount(_ address: EmailAddress) -> Int {
        (address.displayName.map { $0.utf8.count + 5 } ?? 0) + address.mailbox.utf8.count
    }

    /// About the bytes of the `o:` and `v:` fields of `options`: nothing when no option is set,
    /// the common case.
    private static func optionsByteCount(_ options: SendOptions, mailgun: MailgunOptions?) -> Int {
        let field = fieldFraming + nameAllowance
        var total = options.tags.reduce(0) { $0 + field + $1.utf8.count }
        total += options.variables.reduce(0) { $0 + field + $1.key.utf8.count + $1.value.utf8.count }
        guard options.deliveryTime != nil || options.testMode || options.tracking != Tracking() || options.requireTLS != nil
            || options.skipVerification != nil || mailgun != nil
        else { return total }
        // The options' names are up to 30 bytes (`o:deliverytime-optimize-period`); the values of
        // those set from a flag or a number are up to 31 (`o:deliverytime`'s date).
        let optionField = fieldFraming + 32
        let flags = [
            options.deliveryTime != nil, options.testMode, options.tracking.enabled != nil, options.tracking.clicks != nil, options.tracking.opens != nil,
            options.requireTLS != nil, options.skipVerification != nil, mailgun?.dkim != nil, mailgun?.deliveryTimeOptimizePeriod != nil,
        ]
        total += flags.count(where: { $0 }) * (optionField + 32)
        guard let mailgun else { return total }
        let texts = [
            mailgun.timeZoneLocalize, mailgun.secondaryDKIM, mailgun.secondaryDKIMPublic, mailgun.sendingIP, mailgun.sendingIPPool,
            mailgun.trackingPixelLocationTop, mailgun.archiveTo,
        ]
        total += texts.reduce(0) { $0 + ($1.map { optionField + $0.utf8.count } ?? 0) }
        if !mailgun.suppressHeaders.isEmpty { total += optionField + mailgun.suppressHeaders.reduce(0) { $0 + $1.utf8.count + 1 } }
        total += mailgun.extra.reduce(0) { $0 + field + $1.name.utf8.count + $1.value.utf8.count }
        return total
    }

    /// Appends the `o:` and `v:` fields for shared and Mailgun-specific options to `form`, after
    /// validating the Mailgun-specific ones (the shared ones were checked by the caller's
    /// `Email.validate()` or `Envelope.validate()`, which every send runs first). `mailgun` is
    /// `options.mailgun`, which the caller has read already, or `nil` for the defaults.
    private static func appendOptionFields(_ options: SendOptions, mailgun: MailgunOptions?, to form: inout Fields) throws {
        try mailgun?.validate()
        for tag in options.tags { form.field("o:tag", tag) }
        if let date = options.deliveryTime { form.field("o:deliverytime", rfc2822(date, in: (mailgun ?? MailgunOptionsKey.defaultValue).deliveryTimeZone)) }
        if let period = mailgun?.deliveryTimeOptimizePeriod { form.field("o:deliverytime-optimize-period", "\(period)h") }
        if let local = mailgun?.timeZoneLocalize { form.field("o:time-zone-localize", local) }
        if options.testMode { form.field("o:testmode", "yes") }
        if let enabled = options.tracking.enabled { form.field("o:tracking", yesNo(enabled)) }
        if let clicks = options.tracking.clicks { form.field("o:tracking-clicks", clicks.description) }
        if let opens = options.tracking.opens { form.field("o:tracking-opens", yesNo(opens)) }
        if let tls = options.requireTLS { form.field("o:require-tls", yesNo(tls)) }
        if let skip = options.skipVerification { form.field("o:skip-verification", yesNo(skip)) }
        if let dkim = mailgun?.dkim { form.field("o:dkim", yesNo(dkim)) }
        if let value = mailgun?.secondaryDKIM { form.field("o:secondary-dkim", value) }
        if let value = mailgun?.secondaryDKIMPublic { form.field("o:secondary-dkim-public", value) }
        if let value = mailgun?.sendingIP { form.field("o:sending-ip", value) }
        if let value = mailgun?.sendingIPPool { form.field("o:sending-ip-pool", value) }
        if let value = mailgun?.trackingPixelLocationTop { form.field("o:tracking-pixel-location-top", value) }
        if let value = mailgun?.archiveTo { form.field("o:archive-to", value) }
        if let suppress = mailgun?.suppressHeaders, !suppress.isEmpty { form.field("o:suppress-headers", suppress.joined(separator: ",")) }
        if !options.variables.isEmpty {
            for name in options.variables.keys.sorted() { form.field("v:\(name)", options.variables[name] ?? "") }
        }
        for extra in mailgun?.extra ?? [] { form.field(extra.name, extra.value) }
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
