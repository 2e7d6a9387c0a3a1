import Foundation
import MailroomArchive

/// The JSON API's answers (documented in `Documentation/Preview.md`): sorted keys, dates in ISO 8601.
enum PreviewJSON {
    /// `GET /api/v1/messages`: one page and the count of every match.
    struct List: Encodable {
        /// How many entries match, paging ignored.
        var total: Int
        /// The page, newest first (best matches first for `q`).
        var messages: [ArchiveEntry]
        /// The URL of the next page, or `nil` on the last.
        var next: String?

        private enum CodingKeys: CodingKey { case total, messages, next }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(total, forKey: .total)
            try container.encode(messages, forKey: .messages)
            try container.encode(next, forKey: .next)  // `null` on the last page, rather than absent
        }
    }

    /// `GET /api/v1/messages/{id}`: the entry and the message taken apart.
    struct Detail: Encodable {
        struct Header: Encodable {
            var name: String
            var value: String
        }

        struct Attachment: Encodable {
            var index: Int
            var filename: String?
            var contentType: String
            var size: Int
            var contentID: String?
            var inline: Bool
            var url: String
        }

        var entry: ArchiveEntry
        var headers: [Header]
        var text: String?
        var html: String?
        var attachments: [Attachment]
        var links: [String]
        var raw: String

        init(entry: ArchiveEntry, message: PreviewMessage, base: String) {
            self.entry = entry
            headers = message.headers.map { Header(name: $0.name, value: $0.value) }
            text = message.text
            html = message.html
            attachments = message.attachments.map {
                Attachment(index: $0.index, filename: $0.filename, contentType: $0.contentType, size: $0.size, contentID: $0.contentID,
                           inline: $0.isInline, url: "\(base)/attachments/\($0.index)")
            }
            links = message.links
            raw = "\(base)/raw"
        }
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value))
    }
}
