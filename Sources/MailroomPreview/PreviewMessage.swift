import Foundation
import Mailroom

/// An archived message taken apart for the preview: its headers decoded, its HTML and text
/// bodies in their charsets, its other parts as attachments, and the links it carries.
struct PreviewMessage: Sendable {
    /// One part that is not the HTML or text body: a file, an inline image, a nested message.
    struct Attachment: Sendable {
        /// The part's position among the attachments, from 0: what `/attachments/{n}` takes.
        var index: Int
        /// The file name the message gives, if any.
        var filename: String?
        /// The part's media type, lowercased.
        var contentType: String
        /// The decoded size in bytes.
        var size: Int
        /// The `Content-ID`, without its angle brackets, that HTML refers to as `cid:…`.
        var contentID: String?
        /// Whether the message shows it inline (`Content-Disposition: inline`, or a `Content-ID`).
        var isInline: Bool
        /// The decoded bytes.
        var bytes: [UInt8]
    }

    /// Every header in order, RFC 2047 encoded words decoded.
    var headers: [(name: String, value: String)]
    /// The HTML body, decoded from its charset.
    var html: String?
    /// The text body, decoded from its charset.
    var text: String?
    /// Every other leaf part, in the message's order.
    var attachments: [Attachment]

    /// Takes `bytes` apart; never fails (a malformed message shows as what could be read).
    init(bytes: [UInt8]) {
        let root = MIMEReader.parse(bytes)
        headers = root.headers.map { ($0.name, MIMEReader.decodeHeader($0.value)) }
        var html: String?
        var text: String?
        var attachments: [Attachment] = []
        for part in root.leaves {
            let isFile = part.disposition?.value.lowercased() == "attachment" || part.filename != nil
            if !isFile, part.contentType == "text/html", html == nil {
                html = Self.decoded(part)
            } else if !isFile, part.contentType == "text/plain", text == nil {
                text = Self.decoded(part)
            } else if !(part.contentType.hasPrefix("multipart/") && part.body.isEmpty) {
                let contentID = part.header("Content-ID").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t")) }
                attachments.append(Attachment(
                    index: attachments.count,
                    filename: part.filename.map(MIMEReader.decodeHeader),
                    contentType: part.contentType.lowercased(),
                    size: part.body.count,
                    contentID: contentID?.isEmpty == false ? contentID : nil,
                    isInline: part.disposition?.value.lowercased() == "inline" || contentID?.isEmpty == false,
                    bytes: part.body
                ))
            }
        }
        self.html = html
        self.text = text
        self.attachments = attachments
    }

    /// The first header named `name` (any case).
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The HTML for the sandboxed frame: `cid:` references to inline images replaced by `data:`
    /// URLs of their bytes (so the frame's policy can forbid every other load), `http-equiv`
    /// attributes disarmed (a `<meta http-equiv="refresh">` would navigate the frame to a remote
    /// page) and `<link>` elements made inert (Chromium fetches `rel=prefetch` once any remote image
    /// source is allowed; a stylesheet link is blocked by the policy anyway).
    var framedHTML: String? {
        guard var html else { return nil }
        for attachment in attachments where attachment.contentType.hasPrefix("image/") {
            guard let contentID = attachment.contentID else { continue }
            let type = attachment.contentType.filter { $0.isLetter || $0.isNumber || "/+.-".contains($0) }
            let url = "data:\(type);base64,\(Data(attachment.bytes).base64EncodedString())"
            html = html.replacingOccurrences(of: "cid:\(contentID)", with: url, options: .caseInsensitive)
        }
        html = html.replacingOccurrences(of: "http-equiv", with: "data-disarmed-http-equiv", options: .caseInsensitive)
        return html.replacing(Self.linkTagPattern, with: "<mailroom-disarmed-link")
    }

    /// The links the message carries: the `href` of every `<a>` and `<area>` of the HTML, then every
    /// `http(s)` URL of the text, each once, in order.
    var links: [String] {
        var links: [String] = []
        var seen: Set<String> = []
        func add(_ link: String) {
            let trimmed = link.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty, seen.insert(trimmed).inserted { links.append(trimmed) }
        }
        if let html {
            for match in html.matches(of: Self.hrefPattern) {
                add(Self.decodingEntities(String(match.output.1 ?? match.output.2 ?? match.output.3 ?? "")))
            }
        }
        if let text {
            for match in text.matches(of: Self.urlPattern) { add(String(match.output)) }
        }
        return links
    }

    // `nonisolated(unsafe)`: Regex is not Sendable, and these are never mutated.
    nonisolated(unsafe) private static let hrefPattern = #/(?i)<(?:a|area)\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/#
    nonisolated(unsafe) private static let linkTagPattern = #/(?i)<link\b/#
    nonisolated(unsafe) private static let urlPattern = #/https?://[^\s<>"')\]]+/#

    private static func decodingEntities(_ text: String) -> String {
        text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#38;", with: "&")
    }

    /// A text part's body in its declared charset; undecodable bytes become U+FFFD.
    private static func decoded(_ part: MIMEReader.Part) -> String {
        let charset = (part.parameters["charset"] ?? "utf-8").lowercased()
        let encoding: String.Encoding? = switch charset {
        case "utf-8", "utf8", "us-ascii", "ascii": .utf8
        case "iso-8859-1", "latin1", "iso_8859-1", "iso-8859-15": .isoLatin1
        case "windows-1252", "cp1252": .windowsCP1252
        case "iso-8859-2", "latin2": .isoLatin2
        case "utf-16": .utf16
        case "shift_jis", "shift-jis": .shiftJIS
        case "euc-jp": .japaneseEUC
        case "iso-2022-jp": .iso2022JP
        default: nil
        }
        if let encoding, encoding != .utf8, let text = String(bytes: part.body, encoding: encoding) { return text }
        return String(decoding: part.body, as: UTF8.self)
    }
}
