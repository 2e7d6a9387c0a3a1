import Foundation
import Mailroom
import NIOCore
import Synchronization

/// A `multipart/form-data` body whose files are read in chunks while it is sent, with its length
/// known before the first byte (so `Content-Length` is set and nothing is buffered whole).
///
/// It can be iterated more than once, which retries need.
struct MultipartFormBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// What a file part's bytes come from.
    enum Content: Sendable {
        case attachment(Attachment)
        case message(MIMEMessage)

        var byteCount: Int {
            switch self {
            case .attachment(let attachment): attachment.source.byteCount
            case .message(let message): message.byteCount
            }
        }
    }

    enum Part: Sendable {
        case field(name: String, value: String)
        case file(name: String, filename: String, contentType: String, content: Content)
    }

    enum Segment: Sendable {
        case bytes(ByteBuffer)
        case content(Content)
    }

    /// What the body is made of: one buffer when it is small and already in memory, or segments
    /// of bytes and contents that are read while it is sent.
    private enum Storage: Sendable {
        case buffer(ByteBuffer)
        case segments([Segment])
    }

    /// The `Content-Type` header value, `multipart/form-data; boundary=…`.
    let contentType: String
    private let storage: Storage
    /// The exact number of bytes the body yields.
    let byteCount: Int

    /// The whole body as one buffer when it is small and already in memory (no file to read, no
    /// MIME message to render): sent with the request head in one write instead of as a stream.
    /// `nil` for bodies that are streamed.
    var buffered: ByteBuffer? {
        guard case .buffer(let buffer) = storage else { return nil }
        return buffer
    }

    /// The largest body sent as one buffer; larger ones are streamed so they are never held twice.
    static let bufferedLimit = 256 * 1_024

    /// A body of `parts`, in order.
    ///
    /// - Parameters:
    ///   - parts: The fields and files.
    ///   - boundary: The multipart boundary; a random one when `nil`.
    init(parts: [Part], boundary: String? = nil) {
        var builder = Builder(boundary: boundary, capacity: Self.fieldsByteCount(parts, boundaryLength: boundary?.utf8.count ?? Self.randomBoundaryLength))
        for part in parts {
            switch part {
            case .field(let name, let value): builder.appendField(name: name, value: value)
            case .file(let name, let filename, let contentType, let content): builder.appendFile(name: name, filename: filename, contentType: contentType, content: content)
            }
        }
        self = builder.finish()
    }

    private init(contentType: String, storage: Storage, byteCount: Int) {
        self.contentType = contentType
        self.storage = storage
        self.byteCount = byteCount
    }

    /// Writes a body part by part, straight into its buffers: the send path builds a message's
    /// fields with it, without a list of parts in between, since that runs for every send.
    struct Builder {
        /// The `Content-Type`, whose end is the boundary: one string for both.
        private var contentType: String
        /// The segments before `pending`; empty until a file part is appended.
        private var segments: [Segment] = []
        /// The bytes after the last file part.
        private var pending: ByteBuffer

        /// Starts a body.
        ///
        /// - Parameters:
        ///   - boundary: The multipart boundary; a random one when `nil`.
        ///   - capacity: The bytes to allocate for the fields, grown when they need more; see
        ///     ``MultipartFormBody/fieldByteCount(name:value:boundaryLength:)``.
        init(boundary: String? = nil, capacity: Int) {
            self.contentType = boundary.map { MultipartFormBody.contentTypePrefix.description + $0 } ?? MultipartFormBody.randomContentType()
            self.pending = ByteBufferAllocator().buffer(capacity: capacity)
        }

        /// The boundary's length in bytes.
        private var boundaryLength: Int { contentType.utf8.count - MultipartFormBody.contentTypePrefix.utf8CodeUnitCount }

        /// Appends `name="…"` with its value.
        mutating func appendField(name: String, value: String) {
            let name = MultipartFormBody.escaped(name)
            let count = MultipartFormBody.fieldByteCount(name: name, value: value, boundaryLength: boundaryLength)
            // One capacity check and plain copies: a field is a handful of bytes around its value.
            pending.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { buffer in
                var cursor = Cursor(buffer)
                cursor.writeFieldStart(contentType: contentType, name: name)
                cursor.write(contentsOf: value)
                cursor.write("\r\n")
                return cursor.offset
            }
        }

        /// Appends `name="…"` with an address as `displayName <mailbox>`, written in pieces
        /// (see `EmailAddress.verbatimDisplayName`).
        mutating func appendField(name: String, displayName: String, mailbox: String) {
            let name = MultipartFormBody.escaped(name)
            let count = MultipartFormBody.fieldByteCount(name: name, value: displayName, boundaryLength: boundaryLength) + mailbox.utf8.count + 3
            pending.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { buffer in
                var cursor = Cursor(buffer)
                cursor.writeFieldStart(contentType: contentType, name: name)
                cursor.write(contentsOf: displayName)
                cursor.write(" <")
                cursor.write(contentsOf: mailbox)
                cursor.write(">\r\n")
                return cursor.offset
            }
        }

        /// Appends a file part whose content is read while the body is sent.
        mutating func appendFile(name: String, filename: String, contentType fileType: String, content: Content) {
            writeDelimiter()
            pending.writeStaticString("\r\nContent-Disposition: form-data; name=\"")
            pending.writeString(MultipartFormBody.escaped(name))
            pending.writeStaticString("\"; filename=\"")
            pending.writeString(MultipartFormBody.escaped(filename))
            pending.writeStaticString("\"\r\nContent-Type: ")
            pending.writeString(fileType)
            pending.writeStaticString("\r\n\r\n")
            segments.append(.bytes(pending))
            segments.append(.content(content))
            pending = ByteBuffer()
            pending.writeStaticString("\r\n")
        }

        /// The body, closed with its final boundary. (Mutating, not consuming: a builder kept in
        /// another value would be copied, and its buffer with it.)
        mutating func finish() -> MultipartFormBody {
            writeDelimiter(closing: true)
            // Fields alone (the common case) are the buffer as it is: no list of segments.
            if segments.isEmpty, pending.readableBytes <= MultipartFormBody.bufferedLimit {
                return MultipartFormBody(contentType: contentType, storage: .buffer(pending), byteCount: pending.readableBytes)
            }
            segments.append(.bytes(pending))
            let byteCount = segments.reduce(0) { total, segment in
                switch segment {
                case .bytes(let bytes): total + bytes.readableBytes
                case .content(let content): total + content.byteCount
                }
            }
            let inMemory = byteCount <= MultipartFormBody.bufferedLimit ? MultipartFormBody.inMemory(segments, byteCount: byteCount) : nil
            return MultipartFormBody(contentType: contentType, storage: inMemory.map(Storage.buffer) ?? .segments(segments), byteCount: byteCount)
        }

        /// `--boundary`, or the closing `--boundary--\r\n`.
        private mutating func writeDelimiter(closing: Bool = false) {
            pending.writeWithUnsafeMutableBytes(minimumWritableBytes: boundaryLength + 6) { buffer in
                var cursor = Cursor(buffer)
                cursor.write("--")
                cursor.write(contentsOf: contentType, from: MultipartFormBody.contentTypePrefix.utf8CodeUnitCount)
                if closing { cursor.write("--\r\n") }
                return cursor.offset
            }
        }
    }

    /// The segments' bytes in one buffer, or `nil` when one of them must be read or rendered.
    private static func inMemory(_ segments: [Segment], byteCount: Int) -> ByteBuffer? {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(byteCount)
        for segment in segments {
            switch segment {
            case .bytes(var bytes):
                buffer.writeBuffer(&bytes)
            case .content(.attachment(let attachment)):
                guard let bytes = attachment.source.bytes else { return nil }
                buffer.writeBytes(bytes)
            case .content(.message):
                return nil
            }
        }
        return buffer
    }

    /// The bytes of one field, `--B\r\nContent-Disposition: form-data; name="N"\r\n\r\nV\r\n`
    /// (a name that needs escaping, which is rare, takes a few more).
    static func fieldByteCount(name: String, value: String, boundaryLength: Int) -> Int {
        boundaryLength + 49 + name.utf8.count + value.utf8.count
    }

    /// The bytes of the fields before the first file part and of the closing line, so that the
    /// buffer of a body without files is allocated once, at its size.
    private static func fieldsByteCount(_ parts: [Part], boundaryLength: Int) -> Int {
        var total = boundaryLength + 6  // `--B--\r\n`
        for part in parts {
            guard case .field(let name, let value) = part else { break }
            total += fieldByteCount(name: name, value: value, boundaryLength: boundaryLength)
        }
        return total
    }

    /// What the `Content-Type` starts with, before the boundary.
    static let contentTypePrefix: StaticString = "multipart/form-data; boundary="

    /// A `Content-Type` with a new boundary, `mailroom-` and 32 hexadecimal digits: a process-wide
    /// counter, which makes every boundary unique, and SipHash (`Hasher`, keyed per process) of a
    /// random seed and that counter, which no one outside the process can predict, so no body will
    /// contain the boundary by chance or by design. A random call is a system call on Linux, which
    /// showed in the send path's profile, hence one seed per process. Made in one allocation, the
    /// header and the boundary together.
    static func randomContentType() -> String {
        let sequence = boundaryCounter.wrappingAdd(1, ordering: .relaxed).newValue
        var hasher = Hasher()
        hasher.combine(boundarySeed)
        hasher.combine(sequence)
        let mixed = UInt64(UInt(bitPattern: hasher.finalize()))
        return String(unsafeUninitializedCapacity: contentTypePrefix.utf8CodeUnitCount + randomBoundaryLength) { buffer in
            var cursor = Cursor(UnsafeMutableRawBufferPointer(buffer))
            cursor.write(contentTypePrefix)
            cursor.write("mailroom-")
            cursor.writeHex(mixed)
            cursor.writeHex(sequence)
            return cursor.offset
        }
    }

    /// A write position in memory being filled. A struct rather than nested functions around a
    /// captured counter: Swift checks such a capture for exclusive access at run time, on every
    /// write, which showed in the send path's profile.
    private struct Cursor {
        let buffer: UnsafeMutableRawBufferPointer
        private(set) var offset = 0

        init(_ buffer: UnsafeMutableRawBufferPointer) {
            self.buffer = buffer
        }

        mutating func write(_ bytes: UnsafeRawBufferPointer) {
            UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]).copyMemory(from: bytes)
            offset += bytes.count
        }

        mutating func write(_ text: StaticString) {
            write(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        /// `text`'s UTF-8 from byte `start` on, read in place: `withUTF8` would need a copy of the
        /// string (a retain and a release per write, which showed in the send path's profile).
        mutating func write(contentsOf text: String, from start: Int = 0) {
            let written: Void? = text.utf8.withContiguousStorageIfAvailable { write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[start...]))) }
            if written == nil {
                // A string bridged from Objective-C, whose bytes are not UTF-8 in memory.
                var text = text
                text.withUTF8 { write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[start...]))) }
            }
        }

        /// `--boundary\r\nContent-Disposition: form-data; name="name"\r\n\r\n`: a field up to its value.
        mutating func writeFieldStart(contentType: String, name: String) {
            write("--")
            write(contentsOf: contentType, from: MultipartFormBody.contentTypePrefix.utf8CodeUnitCount)
            write("\r\nContent-Disposition: form-data; name=\"")
            write(contentsOf: name)
            write("\"\r\n\r\n")
        }

        /// `number` as 16 lowercase hexadecimal digits.
        mutating func writeHex(_ number: UInt64) {
            for shift in stride(from: 60, through: 0, by: -4) {
                let digit = UInt8(truncatingIfNeeded: number >> UInt64(shift)) & 0x0F
                buffer[offset] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                offset += 1
            }
        }
    }

    /// The length of a random boundary: `mailroom-` and 32 digits.
    static let randomBoundaryLength = 41

    /// The process's random seed for boundaries (see ``randomContentType()``).
    private static let boundarySeed = UInt64.random(in: .min ... .max)
    /// How many boundaries this process has made.
    private static let boundaryCounter = Atomic<UInt64>(0)

    /// Form-data names and file names are quoted strings; quotes and line breaks are percent-escaped
    /// as browsers do (the HTML standard's multipart/form-data encoding).
    fileprivate static func escaped(_ text: String) -> String {
        // Names almost never need it; the check is a byte scan (over the bytes in place, which is
        // tighter than the view's iterator), the replacement goes through Foundation.
        func special(_ byte: UInt8) -> Bool { byte == 0x22 || byte == 0x0D || byte == 0x0A }
        guard text.utf8.withContiguousStorageIfAvailable({ $0.contains(where: special) }) ?? text.utf8.contains(where: special) else { return text }
        return text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    func makeAsyncIterator() -> AsyncIterator {
        switch storage {
        case .buffer(let buffer): AsyncIterator(segments: [.bytes(buffer)])
        case .segments(let segments): AsyncIterator(segments: segments)
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        /// Reads one file part's content, whichever kind it is.
        private enum Reader {
            case attachment(AttachmentChunks.AsyncIterator)
            case message(MIMEMessage.AsyncIterator)

            /// The size of the chunks read from an attachment. Measured side by side for a 20 MB
            /// file (Documentation/Benchmarks.md): 64 KB chunks held up to 9.4 MB more than a small
            /// send, 16 KB at most 3.9 MB, at about 100 MB/s to a local sink (64 KB: 250–350 MB/s).
            static let chunkSize = 16 * 1_024

            init(_ content: Content) {
                switch content {
                case .attachment(let attachment): self = .attachment(attachment.chunks(of: Self.chunkSize).makeAsyncIterator())
                case .message(let message): self = .message(message.makeAsyncIterator())
                }
            }

            mutating func next() async throws -> ByteBuffer? {
                switch self {
                case .attachment(var iterator):
                    defer { self = .attachment(iterator) }
                    // Read straight into the buffer that is sent: one allocation per chunk.
                    var buffer = ByteBufferAllocator().buffer(capacity: Self.chunkSize)
                    let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.chunkSize) { try iterator.read(into: $0) }
                    return count > 0 ? buffer : nil
                case .message(var iterator):
                    defer { self = .message(iterator) }
                    return try await iterator.next().map { ByteBuffer(bytes: $0) }
                }
            }
        }

        private let segments: [Segment]
        private var index = 0
        private var reader: Reader?

        init(segments: [Segment]) {
            self.segments = segments
        }

        mutating func next() async throws -> ByteBuffer? {
            while index < segments.count {
                if var current = reader {
                    let chunk = try await current.next()
                    reader = current
                    if let chunk { return chunk }
                    reader = nil
                    index += 1
                    continue
                }
                switch segments[index] {
                case .bytes(let bytes):
                    index += 1
                    return bytes
                case .content(let content):
                    reader = Reader(content)
                }
            }
            return nil
        }
    }
}
