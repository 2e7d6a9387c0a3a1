import Foundation
import Mailroom

/// A stored message as Mailgun's `GET /v3/domains/{domain}/messages/{key}` shows it.
struct StoredMessageView {
    let message: MockMessage
    private let root: MIMEReader.Part

    init(message: MockMessage) {
        self.message = message
        self.root = MIMEReader.parse(message.mime)
    }

    /// `Message-ID` becomes `Message-Id`, `MIME-Version` becomes `Mime-Version`, as Mailgun writes them.
    static func canonicalName(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
            .joined(separator: "-")
    }

    private var from: String { MIMEReader.decodeHeader(root.header("From") ?? "") }
    private var subject: String { MIMEReader.decodeHeader(root.header("Subject") ?? "") }

    private var sender: String {
        guard let from = root.header("Sender") ?? root.header("From") else { return "" }
        return (try? EmailAddress.list(MIMEReader.decodeHeader(from)).first?.mailbox) ?? from
    }

    /// The parsed view: top-level headers, bodies, `message-headers`, attachments and the Content-ID map.
    var json: [String: Any] {
        var object: [String: Any] = [:]
        for header in root.headers { object[Self.canonicalName(header.name)] = MIMEReader.decodeHeader(header.value) }
        object["message-headers"] = root.headers.map { [Self.canonicalName($0.name), $0.value] }
        object["sender"] = sender
        object["from"] = from
        object["subject"] = subject
        object["recipients"] = message.recipients.joined(separator: ", ")

        let leaves = root.leaves
        let bodies = leaves.filter { $0.disposition?.value != "attachment" && $0.filename == nil }
        let plain = bodies.first { $0.contentType == "text/plain" }.map { String(decoding: $0.body, as: UTF8.self) } ?? ""
        let html = bodies.first { $0.contentType == "text/html" }.map { String(decoding: $0.body, as: UTF8.self) }
        object["body-plain"] = plain
        object["stripped-text"] = plain.trimmingCharacters(in: .whitespacesAndNewlines)
        object["stripped-signature"] = ""
        if let html {
            object["body-html"] = html
            object["stripped-html"] = html
        }

        var attachments: [[String: Any]] = []
        var contentIDs: [String: Any] = [:]
        for (index, leaf) in leaves.enumerated() {
            guard let name = leaf.filename else { continue }
            let entry: [String: Any] = [
                "url": "\(message.storageURL)/attachments/\(index)",
                "content-type": leaf.contentType,
                "name": name,
                "size": leaf.body.count,
            ]
            if leaf.disposition?.value == "inline", let contentID = leaf.header("Content-ID") {
                contentIDs[contentID] = entry
            } else {
                attachments.append(entry)
            }
        }
        object["attachments"] = attachments
        object["content-id-map"] = contentIDs
        return object
    }

    /// The raw view for `Accept: message/rfc2822`: the MIME as `body-mime`.
    var rawJSON: [String: Any] {
        [
            "recipients": message.recipients.joined(separator: ", "),
            "sender": sender,
            "from": from,
            "subject": subject,
            "body-mime": String(decoding: message.mime, as: UTF8.self),
        ]
    }
}
