import Foundation
/// Package because `Email` appears in this file's package API.
package import Mailroom

/// The text of a message's body that the full-text index reads: the text part, or the HTML's text
/// when there is none, at most ``limit`` characters.
package enum ArchiveText {
    /// The most body text indexed per message; what a search needs is at the start.
    package static let limit = 32 * 1024
    /// The most message bytes read to find it (a large message's text part is near its start).
    package static let scanLimit = 512 * 1024

    /// The body text of a message from its bytes (or their first ``scanLimit``).
    package static func body(ofMessage bytes: [UInt8]) -> String {
        let leaves = MIMEReader.parse(Array(bytes.prefix(scanLimit))).leaves.filter { part in
            part.disposition?.value != "attachment" && part.filename == nil
        }
        if let text = leaves.first(where: { $0.contentType == "text/plain" }) {
            return clipped(String(decoding: text.body, as: UTF8.self))
        }
        if let html = leaves.first(where: { $0.contentType == "text/html" }) {
            return clipped(plain(fromHTML: String(decoding: html.body, as: UTF8.self)))
        }
        return ""
    }

    /// The body text of an email about to be sent: its text, else its HTML's text.
    package static func body(of email: Email) -> String {
        if let text = email.text, !text.isEmpty { return clipped(text) }
        if let html = email.html { return clipped(plain(fromHTML: html)) }
        return ""
    }

    /// The words of an HTML document: tags dropped (with the contents of `script`, `style` and
    /// `head`), the common entities decoded, runs of white space made one space. Enough for a
    /// search index; not a renderer.
    package static func plain(fromHTML html: String) -> String {
        var output = ""
        output.reserveCapacity(min(html.utf8.count, limit * 2))
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            output += rest[..<open]
            output += " "
            rest = rest[open...]
            let lowered = rest.prefix(8).lowercased()
            if let skipped = ["script", "style", "head"].first(where: { lowered.hasPrefix("<\($0)") }),
                let end = rest.range(of: "</\(skipped)", options: .caseInsensitive) {
                rest = rest[end.upperBound...]
            }
            guard let close = rest.firstIndex(of: ">") else { return collapsed(decodeEntities(output)) }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return collapsed(decodeEntities(output))
    }

    private static let entities: [(String, String)] = [
        ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&"),
    ]

    private static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var decoded = text
        for (entity, character) in entities { decoded = decoded.replacingOccurrences(of: entity, with: character) }
        return decoded
    }

    private static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func clipped(_ text: String) -> String {
        text.count > limit ? String(text.prefix(limit)) : text
    }
}
