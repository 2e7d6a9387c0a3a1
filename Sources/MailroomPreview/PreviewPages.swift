import Foundation
import Hummingbird
import Mailroom
import MailroomArchive

/// The preview's HTML: plain server-rendered pages, every value from a message escaped with
/// ``HTMLText``, a stylesheet and a small script of its own.
struct PreviewPages: Sendable {
    let configuration: PreviewConfiguration

    private var base: String { configuration.basePath }

    // MARK: The list

    func list(entries: [ArchiveEntry], total: Int, query: PreviewQuery) -> String {
        var html = "<form class=\"filters\" method=\"get\" action=\"\(base)/\" role=\"search\">"
        html += field("q", "Search", query, type: "search", placeholder: "subject, people, tags, text")
        html += field("to", "To", query, placeholder: "zoe@example.com")
        html += field("from", "From", query, placeholder: "hello@acme.test")
        html += field("tag", "Tag", query)
        html += "<label>State <select name=\"state\"><option value=\"\">any</option>"
        for state in ArchiveState.all {
            html += "<option\(query.value("state") == state.name ? " selected" : "")>\(state.name)</option>"
        }
        html += "</select></label>"
        html += field("since", "Since", query, type: "date")
        html += field("until", "Until", query, type: "date")
        html += "<button type=\"submit\">Search</button>"
        if !query.parameters.isEmpty { html += " <a class=\"clear\" href=\"\(base)/\">Clear</a>" }
        html += "</form>"

        let shown = entries.isEmpty ? "" : " (\(query.archiveQuery.offset + 1)–\(query.archiveQuery.offset + entries.count) shown)"
        html += "<p class=\"count\"><span id=\"total\" data-total=\"\(total)\">\(total)</span> \(total == 1 ? "message" : "messages")\(shown)</p>"

        // The script adds new messages to the newest page of a list; `data-query` is what it asks the API.
        let live = query.isFirstPage ? " data-live=\"\(HTMLText.escaped("\(base)/api/v1/messages\(query.queryString())"))\"" : ""
        html += "<table class=\"messages\" id=\"messages\"\(live)><thead><tr>"
        html += "<th>Time (UTC)</th><th>From</th><th>To</th><th>Subject</th><th>Tags</th><th>State</th><th>Size</th></tr></thead><tbody>"
        for entry in entries { html += row(entry) }
        html += "</tbody></table>"
        if entries.isEmpty {
            html += "<p class=\"empty\" id=\"empty\">\(query.parameters.isEmpty ? "Nothing sent yet. Messages the app sends appear here." : "No message matches.")</p>"
        }

        html += "<nav class=\"pages\">"
        if !query.isFirstPage { html += "<a href=\"\(base)/\(HTMLText.escaped(query.queryString(["before": nil, "offset": nil])))\">Newest</a>" }
        if let next = query.nextPage(after: entries) {
            html += "<a rel=\"next\" href=\"\(base)/\(HTMLText.escaped(query.queryString(next)))\">Older</a>"
        }
        html += "</nav>"
        return layout(title: query.value("q").map { "Search: \($0)" } ?? "Sent mail", kind: "list", body: html)
    }

    /// One row of the list; the script builds the same row from the API's JSON for new messages.
    func row(_ entry: ArchiveEntry) -> String {
        let link = "\(base)/messages/\(HTMLText.escaped(entry.id))"
        var html = "<tr data-id=\"\(HTMLText.escaped(entry.id))\">"
        html += "<td><time datetime=\"\(Self.isoDate(entry.date))\">\(Self.shortDate(entry.date))</time></td>"
        html += "<td>\(HTMLText.escaped(MIMEReader.decodeHeader(entry.from)))</td>"
        html += "<td>\(HTMLText.escaped(entry.recipients.joined(separator: ", ")))</td>"
        html += "<td><a href=\"\(link)\">\(HTMLText.escaped(Self.subject(entry)))</a></td>"
        html += "<td>\(entry.tags.map { "<span class=\"tag\">\(HTMLText.escaped($0))</span>" }.joined(separator: " "))</td>"
        html += "<td><span class=\"state state-\(entry.state.name)\">\(entry.state.name)</span></td>"
        html += "<td class=\"size\">\(Self.size(entry.size))</td></tr>"
        return html
    }

    // MARK: One message

    func message(entry: ArchiveEntry, message: PreviewMessage, remoteImages: Bool) -> String {
        let id = HTMLText.escaped(entry.id)
        let api = "\(base)/api/v1/messages/\(id)"
        var html = "<p class=\"back\"><a href=\"\(base)/\">All messages</a></p>"
        html += "<h1>\(HTMLText.escaped(Self.subject(entry)))</h1><dl class=\"summary\">"
        var facts: [(String, String)] = [
            ("From", MIMEReader.decodeHeader(entry.from)),
            ("To", message.header("To") ?? entry.recipients.joined(separator: ", ")),
        ]
        if let cc = message.header("Cc") { facts.append(("Cc", cc)) }
        facts += [("Recipients", entry.recipients.joined(separator: ", ")), ("Recorded", Self.shortDate(entry.date) + " UTC")]
        for (name, value) in facts { html += "<dt>\(name)</dt><dd>\(HTMLText.escaped(value))</dd>" }
        html += "<dt>State</dt><dd><span class=\"state state-\(entry.state.name)\">\(entry.state.name)</span>"
        if let failure = entry.failure { html += " \(HTMLText.escaped(failure))" }
        html += "</dd>"
        if !entry.tags.isEmpty {
            html += "<dt>Tags</dt><dd>\(entry.tags.map { "<span class=\"tag\">\(HTMLText.escaped($0))</span>" }.joined(separator: " "))</dd>"
        }
        html += "<dt>Size</dt><dd>\(Self.size(entry.size)) (\(Self.size(entry.compressedSize)) compressed)</dd>"
        if let messageID = entry.messageID { html += "<dt>Message-ID</dt><dd><code>\(HTMLText.escaped(messageID))</code></dd>" }
        if let providerID = entry.providerID { html += "<dt>Provider id</dt><dd><code>\(HTMLText.escaped(providerID))</code></dd>" }
        html += "<dt>Archive id</dt><dd><code>\(id)</code></dd></dl>"

        let links = message.links
        // The tab shown first: the HTML when there is some, else the text.
        html += "<nav class=\"tabs\" id=\"tabs\" data-default=\"\(message.html == nil && message.text != nil ? "text" : "html")\">"
        html += "<a href=\"#html\">HTML</a><a href=\"#text\">Text</a><a href=\"#headers\">Headers</a><a href=\"#raw\">Raw</a>"
        html += "<a href=\"#attachments\">Attachments (\(message.attachments.count))</a><a href=\"#links\">Links (\(links.count))</a></nav>"

        html += "<section class=\"tab\" id=\"html\"><h2>HTML</h2>"
        if message.html != nil {
            let page = "\(base)/messages/\(id)"
            html += "<div class=\"toolbar\"><button type=\"button\" class=\"width\" data-width=\"full\" aria-pressed=\"true\">Full width</button>"
            html += "<button type=\"button\" class=\"width\" data-width=\"narrow\" aria-pressed=\"false\">Phone width</button> "
            html += remoteImages
                ? "<a id=\"remote-toggle\" href=\"\(page)#html\">Block remote images</a> <span class=\"note\">Remote images are loaded for this message.</span>"
                : "<a id=\"remote-toggle\" href=\"\(page)?remote=1#html\">Load remote images</a> <span class=\"note\">Remote content is blocked.</span>"
            html += "</div><div class=\"frame\" id=\"frame\">"
            // An empty sandbox: no scripts, forms, popups or navigation of this page; an opaque origin.
            html += "<iframe id=\"body-frame\" title=\"The message's HTML\" sandbox=\"\" referrerpolicy=\"no-referrer\" src=\"\(page)/body\(remoteImages ? "?remote=1" : "")\"></iframe></div>"
        } else {
            html += "<p class=\"empty\">This message has no HTML part.</p>"
        }
        html += "</section>"

        html += "<section class=\"tab\" id=\"text\"><h2>Text</h2>"
        html += message.text.map { "<pre class=\"text\">\(HTMLText.escaped($0))</pre>" } ?? "<p class=\"empty\">This message has no text part.</p>"
        html += "</section>"

        html += "<section class=\"tab\" id=\"headers\"><h2>Headers</h2><table class=\"headers\"><tbody>"
        for header in message.headers { html += "<tr><th>\(HTMLText.escaped(header.name))</th><td>\(HTMLText.escaped(header.value))</td></tr>" }
        html += "</tbody></table></section>"

        html += "<section class=\"tab\" id=\"raw\"><h2>Raw source</h2><p><a href=\"\(api)/raw\" id=\"raw-link\">Open the raw message</a>"
        html += " (\(Self.size(entry.size)), exactly as recorded)</p><pre class=\"raw\" id=\"raw-source\" data-src=\"\(api)/raw\"></pre></section>"

        html += "<section class=\"tab\" id=\"attachments\"><h2>Attachments</h2>"
        if message.attachments.isEmpty {
            html += "<p class=\"empty\">No attachments.</p>"
        } else {
            html += "<table class=\"attachments\"><thead><tr><th>File</th><th>Type</th><th>Size</th><th>Shown</th></tr></thead><tbody>"
            for file in message.attachments {
                let name = file.filename ?? "attachment-\(file.index)"
                html += "<tr><td><a href=\"\(api)/attachments/\(file.index)\" download=\"\(HTMLText.escaped(name))\">\(HTMLText.escaped(name))</a></td>"
                html += "<td>\(HTMLText.escaped(file.contentType))</td><td class=\"size\">\(Self.size(file.size))</td>"
                html += "<td>\(file.isInline ? "inline" : "attached")\(file.contentID.map { " <code>cid:\(HTMLText.escaped($0))</code>" } ?? "")</td></tr>"
            }
            html += "</tbody></table>"
        }
        html += "</section>"

        html += "<section class=\"tab\" id=\"links\"><h2>Links</h2>"
        if links.isEmpty {
            html += "<p class=\"empty\">No links.</p>"
        } else {
            html += "<ol class=\"links\">"
            for link in links {
                let lowered = link.lowercased()
                // Only web and mail links are followable; anything else (javascript:, data:) is shown as text.
                if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") || lowered.hasPrefix("mailto:") {
                    html += "<li><a href=\"\(HTMLText.escaped(link))\" rel=\"noopener noreferrer\" target=\"_blank\">\(HTMLText.escaped(link))</a></li>"
                } else {
                    html += "<li><code>\(HTMLText.escaped(link))</code></li>"
                }
            }
            html += "</ol>"
        }
        html += "</section>"
        return layout(title: Self.subject(entry), kind: "message", body: html)
    }

    // MARK: Errors

    func error(status: HTTPResponse.Status, error: MailroomError) -> String {
        var html = "<h1>\(status.code) \(HTMLText.escaped(status.reasonPhrase))</h1><p class=\"error\">"
        if let field = error.field { html += "<code>\(HTMLText.escaped(field))</code>: " }
        html += "\(HTMLText.escaped(error.message))</p><p><a href=\"\(base)/\">All messages</a></p>"
        return layout(title: "\(status.code) \(status.reasonPhrase)", kind: "error", body: html)
    }

    // MARK: Pieces

    private func layout(title: String, kind: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
        <meta name="referrer" content="no-referrer"><title>\(HTMLText.escaped(title)) · \(HTMLText.escaped(configuration.title))</title>\
        <link rel="stylesheet" href="\(base)/assets/preview.css"><script src="\(base)/assets/preview.js" defer></script></head>
        <body data-page="\(kind)" data-base="\(HTMLText.escaped(base))"><header class="bar"><a class="brand" href="\(base)/">\(HTMLText.escaped(configuration.title))</a>\
        <span class="where">sent mail preview</span><span class="live" id="live" hidden>live</span></header>
        <main>\(body)</main></body></html>

        """
    }

    private func field(_ name: String, _ label: String, _ query: PreviewQuery, type: String = "text", placeholder: String? = nil) -> String {
        let value = query.value(name).map { " value=\"\(HTMLText.escaped($0))\"" } ?? ""
        let hint = placeholder.map { " placeholder=\"\(HTMLText.escaped($0))\"" } ?? ""
        return "<label>\(label) <input type=\"\(type)\" name=\"\(name)\"\(value)\(hint)></label>"
    }

    /// `attachment` with the file name twice: a plain fallback and the exact UTF-8 name (RFC 6266).
    static func downloadDisposition(filename: String) -> String {
        let plain = String(filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F ? Character($0) : "_" })
        return "attachment; filename=\"\(plain)\"; filename*=UTF-8''\(HTMLText.queryValue(filename))"
    }

    static func subject(_ entry: ArchiveEntry) -> String {
        let subject = MIMEReader.decodeHeader(entry.subject)
        return subject.isEmpty ? "(no subject)" : subject
    }

    static func isoDate(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    static func shortDate(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(dateTimeSeparator: .space, timeZone: .gmt)).replacingOccurrences(of: "Z", with: "")
    }

    /// Bytes as people read them: 812 B, 4.2 kB, 20.0 MB.
    static func size(_ bytes: Int) -> String {
        switch bytes {
        case ..<1_000: "\(bytes) B"
        case ..<1_000_000: String(format: "%.1f kB", Double(bytes) / 1_000)
        default: String(format: "%.1f MB", Double(bytes) / 1_000_000)
        }
    }
}
