import Foundation
import Mailroom

/// Turns messages and options into Mailgun's form fields (`from`, `to`, `o:tag`, `h:…`, `v:…`,
/// `t:…`, files), in a stable order.
enum MailgunForm {
    /// Mailgun's limit on `o:`, `h:`, `v:` and `t:` parameters together.
    static let sendOptionsLimit = 16 * 1_024

    /// The fields and files of `POST /v3/{domain}/messages` for `email`.
    static func parts(for email: Email, mailgun: MailgunOptions, recipientVariables: String? = nil) throws -> [MultipartFormBody.Part] {
        // Parts appended straight away (no list of pairs to convert): this runs for every send.
        var parts: [MultipartFormBody.Part] = []
        parts.reserveCapacity(8 + email.to.count + email.cc.count + email.bcc.count + email.headers.count + email.attachments.count)
        func field(_ name: String, _ value: String) { parts.append(.field(name: name, value: value)) }
        field("from", email.from.description)
        for address in email.to { field("to", address.description) }
        for address in email.cc { field("cc", address.description) }
        for address in email.bcc { field("bcc", address.description) }
        if !email.subject.isEmpty { field("subject", email.subject) }
        if let text = email.text { field("text", text) }
        if let html = email.html { field("html", html) }
        if let amp = email.ampHTML { field("amp-html", amp) }
        if !email.replyTo.isEmpty { field("h:Reply-To", email.replyTo.map(\.description).joined(separator: ", ")) }
        if let template = email.template {
            field("template", template.name)
            if let version = template.version { field("t:version", version) }
            if template.rendersText { field("t:text", "yes") }
            if let variables = template.variablesJSON { field("t:variables", variables) }
        }
        for header in email.headers { field("h:\(header.name)", header.value) }
        try appendOptionFields(email.options, mailgun: mailgun, to: &parts)
        if let recipientVariables { field("recipient-variables", recipientVariables) }
        try checkSize(parts)

        for attachment in email.attachments {
            let name = attachment.disposition == .inline ? "inline" : "attachment"
            // Mailgun names an inline part's Content-ID after its file name.
            let filename = attachment.disposition == .inline ? (attachment.contentID ?? attachment.filename) : attachment.filename
            parts.append(.file(name: name, filename: filename, contentType: attachment.contentType, content: .attachment(attachment)))
        }
        return parts
    }

    /// The fields of `POST /v3/{domain}/messages.mime`: the envelope's recipients and options, then
    /// the message as the `message` file.
    static func mimeParts(for message: MIMEMessage, envelope: Envelope, mailgun: MailgunOptions) throws -> [MultipartFormBody.Part] {
        var parts = envelope.recipients.map { MultipartFormBody.Part.field(name: "to", value: $0.description) }
        try appendOptionFields(envelope.options, mailgun: mailgun, to: &parts)
        try checkSize(parts)
        parts.append(.file(name: "message", filename: "message.mime", contentType: "message/rfc822", content: .message(message)))
        return parts
    }

    /// Appends the `o:` and `v:` fields for shared and Mailgun-specific options to `parts`, after
    /// validating the Mailgun-specific ones (the shared ones were checked by the caller's
    /// `Email.validate()` or `Envelope.validate()`, which every send runs first). `mailgun` is
    /// `options.mailgun`, which the caller has read already.
    static func appendOptionFields(_ options: SendOptions, mailgun: MailgunOptions, to parts: inout [MultipartFormBody.Part]) throws {
        try mailgun.validate()
        func field(_ name: String, _ value: String) { parts.append(.field(name: name, value: value)) }
        for tag in options.tags { field("o:tag", tag) }
        if let date = options.deliveryTime { field("o:deliverytime", rfc2822(date, in: mailgun.deliveryTimeZone)) }
        if let period = mailgun.deliveryTimeOptimizePeriod { field("o:deliverytime-optimize-period", "\(period)h") }
        if let local = mailgun.timeZoneLocalize { field("o:time-zone-localize", local) }
        if options.testMode { field("o:testmode", "yes") }
        if let enabled = options.tracking.enabled { field("o:tracking", yesNo(enabled)) }
        if let clicks = options.tracking.clicks { field("o:tracking-clicks", clicks.description) }
        if let opens = options.tracking.opens { field("o:tracking-opens", yesNo(opens)) }
        if let tls = options.requireTLS { field("o:require-tls", yesNo(tls)) }
        if let skip = options.skipVerification { field("o:skip-verification", yesNo(skip)) }
        if let dkim = mailgun.dkim { field("o:dkim", yesNo(dkim)) }
        if let value = mailgun.secondaryDKIM { field("o:secondary-dkim", value) }
        if let value = mailgun.secondaryDKIMPublic { field("o:secondary-dkim-public", value) }
        if let value = mailgun.sendingIP { field("o:sending-ip", value) }
        if let value = mailgun.sendingIPPool { field("o:sending-ip-pool", value) }
        if let value = mailgun.trackingPixelLocationTop { field("o:tracking-pixel-location-top", value) }
        if let value = mailgun.archiveTo { field("o:archive-to", value) }
        if !mailgun.suppressHeaders.isEmpty { field("o:suppress-headers", mailgun.suppressHeaders.joined(separator: ",")) }
        for name in options.variables.keys.sorted() { field("v:\(name)", options.variables[name] ?? "") }
        for extra in mailgun.extra { field(extra.name, extra.value) }
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

    /// Refuses requests whose `o:`, `h:`, `v:` and `t:` fields pass Mailgun's 16 KB, before sending.
    private static func checkSize(_ parts: [MultipartFormBody.Part]) throws {
        // A byte look at each name's prefix: this runs for every field of every send.
        var size = 0
        for case .field(let name, let value) in parts {
            var bytes = name.utf8.makeIterator()
            guard let first = bytes.next(), bytes.next() == UInt8(ascii: ":") else { continue }
            switch first {
            case UInt8(ascii: "o"), UInt8(ascii: "h"), UInt8(ascii: "v"), UInt8(ascii: "t"): size += name.utf8.count + value.utf8.count
            default: continue
            }
        }
        if size > sendOptionsLimit {
            throw MailroomError.invalidValue(field: "options", "send options (o:, h:, v:, t:) are \(size) bytes; Mailgun allows \(sendOptionsLimit)")
        }
    }
}
