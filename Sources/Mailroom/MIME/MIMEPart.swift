/// The body structure of a message before it is written: text leaves, attachment leaves and
/// multiparts nesting them.
indirect enum MIMEPart {
    case text(subtype: String, content: String)
    case attachment(Attachment)
    case multipart(subtype: String, parts: [MIMEPart], rootType: String?)

    /// The structure RFC 2046 prescribes for `email`:
    /// mixed( alternative( text, amp, related( html, inline… ) ), attachment… ),
    /// with each multipart left out when it would have only one part.
    init(structureOf email: Email) {
        let inline = email.attachments.filter { $0.disposition == .inline }
        var attached = email.attachments.filter { $0.disposition != .inline }

        var alternatives: [MIMEPart] = []
        if let text = email.text { alternatives.append(.text(subtype: "plain", content: text)) }
        if let amp = email.ampHTML { alternatives.append(.text(subtype: "x-amp-html", content: amp)) }
        if let html = email.html {
            let htmlPart = MIMEPart.text(subtype: "html", content: html)
            alternatives.append(
                inline.isEmpty
                    ? htmlPart
                    : .multipart(subtype: "related", parts: [htmlPart] + inline.map(MIMEPart.attachment), rootType: "text/html")
            )
        } else {
            // Without HTML nothing refers to inline parts by cid:, so they travel as attachments do.
            attached = email.attachments
        }
        // A template-only message has no body of its own; an empty text part keeps the MIME valid.
        if alternatives.isEmpty { alternatives.append(.text(subtype: "plain", content: "")) }

        let body = alternatives.count == 1
            ? alternatives[0] : .multipart(subtype: "alternative", parts: alternatives, rootType: nil)
        self = attached.isEmpty
            ? body : .multipart(subtype: "mixed", parts: [body] + attached.map(MIMEPart.attachment), rootType: nil)
    }

    /// Writes this part's headers, a blank line and its body; multipart boundaries come from `boundary`.
    func write(to writer: inout MIMEWriter, boundary: (Int) throws -> String, nextBoundary: inout Int) rethrows {
        switch self {
        case .text(let subtype, let content):
            let encoded = MIMEBodyEncoder.encodeText(content)
            writer.write(MIMEHeaderEncoder.parameterized("Content-Type", "text/\(subtype)", [("charset", "utf-8")]))
            writer.write("Content-Transfer-Encoding: \(encoded.transferEncoding)\r\n\r\n")
            writer.write(encoded.bytes)

        case .attachment(let attachment):
            writer.write(MIMEHeaderEncoder.parameterized("Content-Type", attachment.contentType, [("name", attachment.filename)]))
            writer.write("Content-Transfer-Encoding: base64\r\n")
            writer.write(
                MIMEHeaderEncoder.parameterized("Content-Disposition", attachment.disposition.description, [("filename", attachment.filename)])
            )
            if attachment.disposition == .inline {
                writer.write("Content-ID: <\(attachment.contentID ?? attachment.filename)>\r\n")
            }
            writer.write("\r\n")
            writer.writeBase64(of: attachment)

        case .multipart(let subtype, let parts, let rootType):
            let delimiter = try boundary(nextBoundary)
            nextBoundary += 1
            var parameters = [("boundary", delimiter)]
            if let rootType { parameters.append(("type", rootType)) }
            writer.write(MIMEHeaderEncoder.parameterized("Content-Type", "multipart/\(subtype)", parameters))
            writer.write("\r\n")
            for part in parts {
                writer.write("--\(delimiter)\r\n")
                try part.write(to: &writer, boundary: boundary, nextBoundary: &nextBoundary)
                writer.write("\r\n")
            }
            writer.write("--\(delimiter)--")
        }
    }
}
