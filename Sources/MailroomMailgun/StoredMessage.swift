import Foundation
/// Public because `EmailHeader` appears in this file's public API.
public import Mailroom

/// A message Mailgun stored, as its parsed JSON view shows it.
public struct StoredMessage: Sendable, Hashable {
    /// One attachment's metadata; its bytes are at ``url``.
    public struct AttachmentInfo: Sendable, Hashable {
        /// The file name.
        public var name: String
        /// The MIME type.
        public var contentType: String
        /// The size in bytes.
        public var size: Int
        /// Where Mailgun serves the bytes.
        public var url: String
    }

    /// The decoded `Subject`.
    public var subject: String
    /// The decoded `From` header.
    public var from: String
    /// The envelope sender.
    public var sender: String
    /// The envelope recipients, as Mailgun lists them.
    public var recipients: [String]
    /// The plain-text body.
    public var bodyPlain: String
    /// The HTML body, when there is one.
    public var bodyHTML: String?
    /// The plain-text body without quoted parts and signature, as Mailgun strips it.
    public var strippedText: String?
    /// Every header in order, as Mailgun's `message-headers` pairs.
    public var headers: [EmailHeader]
    /// The attachments.
    public var attachments: [AttachmentInfo]
    /// Inline parts by Content-ID.
    public var contentIDMap: [String: AttachmentInfo]

    init(json: [String: Any]) {
        subject = json["subject"] as? String ?? json["Subject"] as? String ?? ""
        from = json["from"] as? String ?? json["From"] as? String ?? ""
        sender = json["sender"] as? String ?? ""
        recipients = (json["recipients"] as? String ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        bodyPlain = json["body-plain"] as? String ?? ""
        bodyHTML = json["body-html"] as? String
        strippedText = json["stripped-text"] as? String
        headers = (json["message-headers"] as? [[String]] ?? []).compactMap { pair in
            pair.count == 2 ? EmailHeader(pair[0], pair[1]) : nil
        }
        func info(_ object: [String: Any]) -> AttachmentInfo {
            AttachmentInfo(
                name: object["name"] as? String ?? object["filename"] as? String ?? "",
                contentType: object["content-type"] as? String ?? "application/octet-stream",
                size: object["size"] as? Int ?? 0,
                url: object["url"] as? String ?? ""
            )
        }
        attachments = (json["attachments"] as? [[String: Any]] ?? []).map(info)
        contentIDMap = (json["content-id-map"] as? [String: [String: Any]] ?? [:]).mapValues(info)
    }

    /// The value of the first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
