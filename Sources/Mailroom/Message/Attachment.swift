import Foundation

/// A file carried by an ``Email``: a regular attachment, or an inline part the HTML refers to by
/// Content-ID (`<img src="cid:logo.png">`).
///
/// Content comes from bytes in memory or from a file on disk. A file is never loaded whole: its size
/// is read when the attachment is made, and its bytes are read in chunks while the message is
/// rendered or uploaded.
///
/// ```swift
/// email.attachments = [
///     try .file(at: "/srv/invoices/2026-11.pdf"),
///     .inline(.bytes(logoPNG, filename: "logo.png")),   // <img src="cid:logo.png">
/// ]
/// ```
public struct Attachment: Sendable, Hashable {
    /// How a mail client presents the part; compare with the static members.
    public struct Disposition: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The header token, `attachment` or `inline`.
        public var description: String { name }
        /// A file offered for download.
        public static let attachment = Disposition("attachment")
        /// A part shown within the HTML body, referenced by its Content-ID.
        public static let inline = Disposition("inline")
    }

    /// Where an attachment's bytes come from.
    public struct Source: Sendable, Hashable {
        enum Storage: Hashable {
            case bytes([UInt8])
            case file(path: String)
        }

        let storage: Storage
        /// The number of bytes of content, known before any is read.
        public let byteCount: Int

        /// The file path, when the content is read from disk.
        public var filePath: String? {
            if case .file(let path) = storage { return path }
            return nil
        }

        /// The content, when it is held in memory.
        public var bytes: [UInt8]? {
            if case .bytes(let bytes) = storage { return bytes }
            return nil
        }
    }

    /// The file name the recipient sees; any Unicode text without line breaks.
    public var filename: String
    /// The MIME type, e.g. `application/pdf`; inferred from the file name's extension when not given.
    public var contentType: String
    /// Whether the part is an attachment or shown inline.
    public var disposition: Disposition
    /// The Content-ID an inline part is referenced by (`cid:` URLs). Defaults to the file name.
    public var contentID: String?
    /// Where the bytes come from.
    public let source: Source

    /// Creates an attachment from bytes in memory.
    ///
    /// - Parameters:
    ///   - bytes: The content.
    ///   - filename: The name the recipient sees.
    ///   - contentType: The MIME type; inferred from `filename` when `nil`.
    /// - Returns: A regular (non-inline) attachment.
    public static func bytes(
        _ bytes: some Sequence<UInt8>,
        filename: String,
        contentType: String? = nil
    ) -> Attachment {
        let content = Array(bytes)
        return Attachment(
            filename: filename,
            contentType: contentType ?? Self.contentType(forFilename: filename),
            disposition: .attachment,
            contentID: nil,
            source: Source(storage: .bytes(content), byteCount: content.count)
        )
    }

    /// Creates an attachment whose content is streamed from a file when the message is rendered or sent.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - filename: The name the recipient sees; the path's last component when `nil`.
    ///   - contentType: The MIME type; inferred from the file name when `nil`.
    /// - Returns: A regular (non-inline) attachment.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/attachmentUnreadable`` when the path is
    ///   not a readable regular file.
    public static func file(at path: String, filename: String? = nil, contentType: String? = nil) throws -> Attachment {
        let name = filename ?? URL(fileURLWithPath: path).lastPathComponent
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw MailroomError.attachmentUnreadable(field: "attachment[\(name)]", "no readable file at \(path)")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular,
            let size = (attributes[.size] as? NSNumber)?.intValue,
            FileManager.default.isReadableFile(atPath: path)
        else {
            throw MailroomError.attachmentUnreadable(field: "attachment[\(name)]", "\(path) is not a readable regular file")
        }
        return Attachment(
            filename: name,
            contentType: contentType ?? Self.contentType(forFilename: name),
            disposition: .attachment,
            contentID: nil,
            source: Source(storage: .file(path: path), byteCount: size)
        )
    }

    /// Turns an attachment into an inline part referenced from the HTML by `cid:`.
    ///
    /// - Parameters:
    ///   - attachment: The content, from ``bytes(_:filename:contentType:)`` or ``file(at:filename:contentType:)``.
    ///   - contentID: The Content-ID without angle brackets; the file name when `nil`.
    /// - Returns: The same content with an inline disposition.
    public static func inline(_ attachment: Attachment, contentID: String? = nil) -> Attachment {
        var part = attachment
        part.disposition = .inline
        part.contentID = contentID ?? attachment.filename
        return part
    }

    /// The content in chunks of at most `chunkSize` bytes, read from disk lazily for file content.
    ///
    /// - Parameter chunkSize: The largest chunk to yield.
    /// - Returns: A sequence that throws ``MailroomError/Code/attachmentUnreadable`` if the file
    ///   disappears or changes size while it is read.
    public func chunks(of chunkSize: Int = 64 * 1024) -> AttachmentChunks {
        AttachmentChunks(source: source, chunkSize: max(1, chunkSize), field: "attachment[\(filename)]")
    }

    /// Checks the file name, content type and Content-ID, reporting problems against `field`.
    ///
    /// - Parameter field: The name used in errors, e.g. `attachments[0]`.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/headerInjection`` for a line break, or
    ///   ``MailroomError/Code/invalidValue`` saying what is wrong.
    public func validate(field: String) throws {
        try HeaderText.check(filename, field: "\(field).filename")
        if filename.isEmpty { throw MailroomError.missingField("\(field).filename", "an attachment needs a file name") }
        try HeaderText.check(contentType, field: "\(field).contentType")
        if !Self.isValidContentType(contentType) {
            throw MailroomError.invalidValue(field: "\(field).contentType", "'\(contentType)' is not a type/subtype MIME type")
        }
        if let contentID {
            try HeaderText.check(contentID, field: "\(field).contentID")
            let forbidden = contentID.isEmpty || contentID.unicodeScalars.contains {
                !$0.isASCII || $0.value <= 0x20 || $0 == "<" || $0 == ">" || $0 == "\""
            }
            if forbidden {
                throw MailroomError.invalidValue(
                    field: "\(field).contentID",
                    "a Content-ID is non-empty ASCII without spaces, quotes or angle brackets"
                )
            }
        }
    }

    static func isValidContentType(_ value: String) -> Bool {
        let essence = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = essence.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(HeaderText.isTokenCharacter) }
    }
}
