import Foundation
import Mailroom

/// Turns messages and options into Mailgun's form fields (`from`, `to`, `o:tag`, `h:…`, `v:…`,
/// `t:…`, files), in a stable order.
enum MailgunForm {
    /// Mailgun's limit on `o:`, `h:`, `v:` and `t:` parameters together.
    static let sendOptionsLimit = 16 * 1_024

    /// The fields and files of `POST /v3/{domain}/messages` for `email`.
    static func parts(for email: Email, recipientVariables: String? = nil) throws -> [MultipartFormBody.Part] {
        var fields: [(String, String)] = [("from", email.from.description)]
        fields += email.to.map { ("to", $0.description) }
        fields += email.cc.map { ("cc", $0.description) }
        fields += email.bcc.map { ("bcc", $0.description) }
        if !email.subject.isEmpty { fields.append(("subject", email.subject)) }
        if let text = email.text { fields.append(("text", text)) }
        if let html = email.html { fields.append(("html", html)) }
        if let amp = email.ampHTML { fields.append(("amp-html", amp)) }
        if !email.replyTo.isEmpty { fields.append(("h:Reply-To", email.replyTo.map(\.description).joined(separator: ", "))) }
        if let template = email.template {
            fields.append(("template", template.name))
            if let version = template.version { fields.append(("t:version", version)) }
            if template.rendersText { fields.append(("t:text", "yes")) }
            if let variables = template.variablesJSON { fields.append(("t:variables", variables)) }
        }
        fields += email.headers.map { ("h:\($0.name)", $0.value) }
        fields += try optionFields(email.options)
        if let recipientVariables { fields.append(("recipient-variables", recipientVariables)) }
        try checkSize(fields)

        var parts = fields.map { MultipartFormBody.Part.field(name: $0.0, value: $0.1) }
        for attachment in email.attachments {
            let name = attachment.disposition == .inline ? "inline" : "attachment"
            // Mailgun names an inline part's Content-ID after its file name.
            let filename = attachment.disposition == .inline ? (attachment.contentID ?? attachment.filename) : attachment.filename
            parts.append(.file(name: name, filename: filename, contentType: attachment.contentType, content: .attachment(attachment)))
        }
        return parts
    }

    /// The fields of `POST /v3/{domain}/messages.mime`: recipients, options, and the message as a file.
    static func mimeParts(for message: MIMEMessage, envelope: Envelope) throws -> [MultipartFormBody.Part] {
        var fields = envelope.recipients.map { ("to", $0.description) }
        fields += try optionFields(envelope.options)
        try checkSize(fields)
        return fields.map { MultipartFormBody.Part.field(name: $0.0, value: $0.1) }
            + [.file(name: "message", filename: "message.mime", contentType: "message/rfc822", content: .message(message))]
    }

    /// The `o:` and `v:` fields for shared and Mailgun-specific options, after validating the
    /// Mailgun-specific ones (the shared ones were checked by the caller's `Email.validate()` or
    /// `Envelope.validate()`, which every send runs first).
    static func optionFields(_ options: SendOptions) throws -> [(String, String)] {
        let mailgun = options.mailgun
        try mailgun.validate()
        var fields: [(String, String)] = options.tags.map { ("o:tag", $0) }
        if let date = options.deliveryTime { fields.append(("o:deliverytime", rfc2822(date, in: mailgun.deliveryTimeZone))) }
        if let period = mailgun.deliveryTimeOptimizePeriod { fields.append(("o:deliverytime-optimize-period", "\(period)h")) }
        if let local = mailgun.timeZoneLocalize { fields.append(("o:time-zone-localize", local)) }
        if options.testMode { fields.append(("o:testmode", "yes")) }
        if let enabled = options.tracking.enabled { fields.append(("o:tracking", yesNo(enabled))) }
        if let clicks = options.tracking.clicks { fields.append(("o:tracking-clicks", clicks.description)) }
        if let opens = options.tracking.opens { fields.append(("o:tracking-opens", yesNo(opens))) }
        if let tls = options.requireTLS { fields.append(("o:require-tls", yesNo(tls))) }
        if let skip = options.skipVerification { fields.append(("o:skip-verification", yesNo(skip))) }
        if let dkim = mailgun.dkim { fields.append(("o:dkim", yesNo(dkim))) }
        if let value = mailgun.secondaryDKIM { fields.append(("o:secondary-dkim", value)) }
        if let value = mailgun.secondaryDKIMPublic { fields.append(("o:secondary-dkim-public", value)) }
        if let value = mailgun.sendingIP { fields.append(("o:sending-ip", value)) }
        if let value = mailgun.sendingIPPool { fields.append(("o:sending-ip-pool", value)) }
        if let value = mailgun.trackingPixelLocationTop { fields.append(("o:tracking-pixel-location-top", value)) }
        if let value = mailgun.archiveTo { fields.append(("o:archive-to", value)) }
        if !mailgun.suppressHeaders.isEmpty { fields.append(("o:suppress-headers", mailgun.suppressHeaders.joined(separator: ","))) }
        fields += options.variables.keys.sorted().map { ("v:\($0)", options.variables[$0] ?? "") }
        fields += mailgun.extra.map { ($0.name, $0.value) }
        return fields
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
    private static func checkSize(_ fields: [(String, String)]) throws {
        // A byte look at each name's prefix: this runs for every field of every send.
        var size = 0
        for (name, value) in fields {
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
