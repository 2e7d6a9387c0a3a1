/// Public because `Date` appears in this file's public API.
public import Foundation

/// An RFC 5322 message as a stream of byte chunks, with its length known before the first byte.
///
/// Made by ``Email/renderMIME(options:)``, or from bytes the caller rendered with ``init(bytes:)``.
/// File-backed attachments are read and base64-encoded chunk by chunk as the sequence is iterated,
/// so a large attachment is never held in memory whole. The sequence can be iterated many times.
///
/// ```swift
/// let message = try email.renderMIME()
/// for try await chunk in message { try output.write(contentsOf: chunk) }
/// let small = try await message.collect()          // all bytes, for small messages
/// ```
public struct MIMEMessage: AsyncSequence, Sendable {
    /// One chunk of message bytes.
    public typealias Element = [UInt8]

    /// The `Message-ID` header's value with its angle brackets, when known.
    public let messageID: String?
    /// The `Date` the message was rendered with, when known.
    public let date: Date?
    /// The total number of bytes the sequence yields.
    public let byteCount: Int

    private let segments: [MIMESegment]

    init(segments: [MIMESegment], messageID: String, date: Date) {
        self.segments = segments
        self.messageID = messageID
        self.date = date
        self.byteCount = segments.reduce(0) { $0 + $1.byteCount }
    }

    /// Wraps a message rendered elsewhere, e.g. by the caller, for a pre-rendered MIME send.
    ///
    /// - Parameter bytes: The complete RFC 5322 message.
    public init(bytes: [UInt8]) {
        self.segments = [.bytes(bytes)]
        self.messageID = nil
        self.date = nil
        self.byteCount = bytes.count
    }

    /// Every byte of the message at once; meant for small messages.
    ///
    /// - Returns: The message bytes.
    /// - Throws: ``MailroomError/Code/attachmentUnreadable`` if an attachment file cannot be read.
    public func collect() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for try await chunk in self { bytes += chunk }
        return bytes
    }

    /// Starts producing chunks.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(segments: segments)
    }

    /// Produces the message chunk by chunk.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Raw attachment bytes read per chunk: a multiple of 57, so every chunk is whole base64 lines.
        static let rawChunkSize = MIMEBodyEncoder.bytesPerBase64Line * 1_150

        private let segments: [MIMESegment]
        private var index = 0
        private var attachment: AttachmentChunks.AsyncIterator?
        private var attachmentRemaining = 0

        init(segments: [MIMESegment]) {
            self.segments = segments
        }

        /// The next chunk, or `nil` after the last.
        public mutating func next() async throws -> [UInt8]? {
            while index < segments.count {
                if var reader = attachment {
                    let chunk = try await reader.next()
                    attachment = reader
                    if let chunk, !chunk.isEmpty {
                        attachmentRemaining -= chunk.count
                        var encoded: [UInt8] = []
                        encoded.reserveCapacity(chunk.count / 57 * 78 + 80)
                        MIMEBodyEncoder.appendBase64Lines(chunk[...], to: &encoded, isFinal: attachmentRemaining <= 0)
                        return encoded
                    }
                    attachment = nil
                    index += 1
                    continue
                }
                switch segments[index] {
                case .bytes(let bytes):
                    index += 1
                    return bytes
                case .base64(let source):
                    attachment = source.chunks(of: Self.rawChunkSize).makeAsyncIterator()
                    attachmentRemaining = source.source.byteCount
                }
            }
            return nil
        }
    }
}
