import Foundation

extension Email {
    /// Renders the message as RFC 5322 MIME, streamed: file attachments are read as it is iterated.
    ///
    /// The output has CRLF line ends and no line over 998 octets; headers are folded, with RFC 2047
    /// encoded words for non-ASCII text and RFC 2231 parameters for non-ASCII or long file names;
    /// bodies are 7bit, quoted-printable or base64 (76 columns), whichever keeps them legal and small;
    /// text, AMP and HTML are `multipart/alternative`, inline parts `multipart/related` with the HTML,
    /// attachments `multipart/mixed`. `Date`, `Message-ID` and `MIME-Version` are added; Bcc is not.
    ///
    /// ```swift
    /// let message = try email.renderMIME()
    /// let bytes = try await message.collect()
    /// ```
    ///
    /// - Parameter options: Date, Message-ID, boundaries and a size limit; all chosen when absent.
    /// - Returns: The message as an `AsyncSequence` of chunks with its length known up front.
    /// - Throws: ``MailroomError`` from ``validate()``, ``MailroomError/Code/invalidValue`` for a bad
    ///   injected Message-ID or boundary, ``MailroomError/Code/messageTooLarge`` over the limit.
    public func renderMIME(options: MIMERenderOptions = MIMERenderOptions()) throws -> MIMEMessage {
        try validate()
        let date = options.date ?? Date()
        let messageID = try Self.messageID(options.messageID, domain: from.domain)

        var writer = MIMEWriter()
        writer.write("Date: \(MIMEHeaderEncoder.date(date))\r\n")
        writer.write("Message-ID: \(messageID)\r\n")
        writer.write(MIMEHeaderEncoder.addressList("From", [from]))
        if !replyTo.isEmpty { writer.write(MIMEHeaderEncoder.addressList("Reply-To", replyTo)) }
        if !to.isEmpty { writer.write(MIMEHeaderEncoder.addressList("To", to)) }
        if !cc.isEmpty { writer.write(MIMEHeaderEncoder.addressList("Cc", cc)) }
        if !subject.isEmpty { writer.write(MIMEHeaderEncoder.unstructured("Subject", subject)) }
        for header in headers {
            writer.write(MIMEHeaderEncoder.unstructured(header.name, header.value))
        }
        writer.write("MIME-Version: 1.0\r\n")

        let randomTag = String(UInt64.random(in: .min ... .max), radix: 36)
        var nextBoundary = 0
        try MIMEPart(structureOf: self).write(
            to: &writer,
            boundary: { index in
                guard let make = options.boundary else { return "=_mailroom_\(randomTag)_\(index)" }
                return try Self.checkedBoundary(make(index))
            },
            nextBoundary: &nextBoundary
        )
        if !writer.endsWithLineBreak { writer.write("\r\n") }

        let message = MIMEMessage(segments: writer.finish(), messageID: messageID, date: date)
        if let limit = options.maximumSize, message.byteCount > limit {
            throw MailroomError.messageTooLarge(size: message.byteCount, limit: limit)
        }
        return message
    }

    private static func messageID(_ injected: String?, domain: String) throws -> String {
        guard var id = injected else { return "<\(UUID().uuidString.lowercased())@\(domain)>" }
        try HeaderText.check(id, field: "messageID")
        if id.hasPrefix("<") && id.hasSuffix(">") { id = String(id.dropFirst().dropLast()) }
        let valid = id.contains("@") && id.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }
        guard valid else {
            throw MailroomError.invalidValue(field: "messageID", "a Message-ID looks like id@domain, printable ASCII without spaces")
        }
        return "<\(id)>"
    }

    /// RFC 2046 `bcharsnospace` plus inner spaces, 1 to 70 characters.
    private static func checkedBoundary(_ boundary: String) throws -> String {
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".unicodeScalars)
        guard (1...70).contains(boundary.unicodeScalars.count),
            boundary.unicodeScalars.allSatisfy(allowed.contains),
            !boundary.hasSuffix(" ")
        else {
            throw MailroomError.invalidValue(field: "boundary", "a boundary is 1 to 70 characters of RFC 2046 bchars, not ending in a space")
        }
        return boundary
    }
}
