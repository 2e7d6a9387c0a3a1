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

    let boundary: String
    private let segments: [Segment]
    /// The exact number of bytes the body yields.
    let byteCount: Int
    /// The whole body as one buffer when it is small and already in memory (no file to read, no
    /// MIME message to render): sent with the request head in one write instead of as a stream.
    /// `nil` for bodies that are streamed.
    let buffered: ByteBuffer?

    /// The largest body sent as one buffer; larger ones are streamed so they are never held twice.
    static let bufferedLimit = 256 * 1_024

    /// The `Content-Type` header value.
    var contentType: String { "multipart/form-data; boundary=" + boundary }

    /// A body of `parts`, in order.
    init(parts: [Part], boundary: String = Self.randomBoundary()) {
        var builder = Builder(boundary: boundary, capacity: Self.fieldsByteCount(parts, boundary: boundary))
        for part in parts {
            switch part {
            case .field(let name, let value): builder.appendField(name: name, value: value)
            case .file(let name, let filename, let contentType, let content): builder.appendFile(name: name, filename: filename, contentType: contentType, content: content)
            }
        }
        self = builder.finish()
    }

    fileprivate init(boundary: String, segments: [Segment]) {
        self.boundary = boundary
        self.segments = segments
        self.byteCount = segments.reduce(0) { total, segment in
            switch segment {
            case .bytes(let bytes): total + bytes.readableBytes
            case .content(let content): total + content.byteCount
            }
        }
        self.buffered = byteCount <= Self.bufferedLimit ? Self.inMemory(segments, byteCount: byteCount) : nil
    }

    /// Writes a body part by part, straight into its buffers: the send path builds a message's
    /// fields with it, without a list of parts in between, since that runs for every send.
    struct Builder {
        let boundary: String
        private var segments: [Segment] = []
        /// The bytes after the last file part.
        private var pending: ByteBuffer

        /// Starts a body.
        ///
        /// - Parameters:
        ///   - boundary: The multipart boundary.
        ///   - capacity: The bytes to allocate for the fields, grown when they need more; see
        ///     ``MultipartFormBody/fieldByteCount(name:value:boundary:)``.
        init(boundary: String = MultipartFormBody.randomBoundary(), capacity: Int) {
            self.boundary = boundary
            self.pending = ByteBufferAllocator().buffer(capacity: capacity)
        }

        /// Appends `name="…"` with its value.
        mutating func appendField(name: String, value: String) {
            let name = MultipartFormBody.escaped(name)
            let count = MultipartFormBody.fieldByteCount(name: name, value: value, boundary: boundary)
            // One capacity check and plain copies: a field is a handful of bytes around its value.
            pending.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { buffer in
                var end = 0
                func write(_ bytes: UnsafeRawBufferPointer) {
                    UnsafeMutableRawBufferPointer(rebasing: buffer[end...]).copyMemory(from: bytes)
                    end += bytes.count
                }
                func writeStatic(_ text: StaticString) {
                    write(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
                }
                func write(_ text: String) {
                    var text = text
                    text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
                }
                writeStatic("--")
                write(boundary)
                writeStatic("\r\nContent-Disposition: form-data; name=\"")
                write(name)
                writeStatic("\"\r\n\r\n")
                write(value)
                writeStatic("\r\n")
                return end
            }
        }

        /// Appends a file part whose content is read while the body is sent.
        mutating func appendFile(name: String, filename: String, contentType: String, content: Content) {
            pending.writeStaticString("--")
            pending.writeString(boundary)
            pending.writeStaticString("\r\nContent-Disposition: form-data; name=\"")
            pending.writeString(MultipartFormBody.escaped(name))
            pending.writeStaticString("\"; filename=\"")
            pending.writeString(MultipartFormBody.escaped(filename))
            pending.writeStaticString("\"\r\nContent-Type: ")
            pending.writeString(contentType)
            pending.writeStaticString("\r\n\r\n")
            segments.append(.bytes(pending))
            segments.append(.content(content))
            pending = ByteBuffer()
            pending.writeStaticString("\r\n")
        }

        /// The body, closed with its final boundary. (Mutating, not consuming: a builder kept in
        /// another value would be copied, and its buffer with it.)
        mutating func finish() -> MultipartFormBody {
            pending.writeStaticString("--")
            pending.writeString(boundary)
            pending.writeStaticString("--\r\n")
            segments.append(.bytes(pending))
            return MultipartFormBody(boundary: boundary, segments: segments)
        }
    }

    /// The segments' bytes in one buffer, or `nil` when one of them must be read or rendered.
    private static func inMemory(_ segments: [Segment], byteCount: Int) -> ByteBuffer? {
        if segments.count == 1, case .bytes(let only) = segments[0] { return only }
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
    static func fieldByteCount(name: String, value: String, boundary: String) -> Int {
        boundary.utf8.count + 49 + name.utf8.count + value.utf8.count
    }

    /// The bytes of the fields before the first file part and of the closing line, so that the
    /// buffer of a body without files is allocated once, at its size.
    private static func fieldsByteCount(_ parts: [Part], boundary: String) -> Int {
        var total = boundary.utf8.count + 6  // `--B--\r\n`
        for part in parts {
            guard case .field(let name, let value) = part else { break }
            total += fieldByteCount(name: name, value: value, boundary: boundary)
        }
        return total
    }

    /// `mailroom-<n>-<m>`: 128 bits that no body will contain by chance and that no one outside
    /// the process can predict. A random call is a system call on Linux, which showed in the send
    /// path's profile, so there is one per process: the boundaries are SipHash (`Hasher`, keyed
    /// per process) of that random seed and a counter, unique per send and as unguessable.
    static func randomBoundary() -> String {
        let sequence = boundaryCounter.wrappingAdd(1, ordering: .relaxed).newValue
        func mixed(_ lane: UInt8) -> UInt64 {
            var hasher = Hasher()
            hasher.combine(boundarySeed)
            hasher.combine(sequence)
            hasher.combine(lane)
            return UInt64(UInt(bitPattern: hasher.finalize()))
        }
        // Written into one allocation: `mailroom-`, two numbers of at most 20 digits, a dash.
        let prefix: StaticString = "mailroom-"
        return String(unsafeUninitializedCapacity: prefix.utf8CodeUnitCount + 41) { buffer in
            var end = 0
            func write(_ byte: UInt8) {
                buffer[end] = byte
                end += 1
            }
            func write(_ number: UInt64) {
                var count = 1
                var rest = number / 10
                while rest > 0 { count += 1; rest /= 10 }
                rest = number
                for position in stride(from: end + count - 1, through: end, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                end += count
            }
            for index in 0..<prefix.utf8CodeUnitCount { write(prefix.utf8Start[index]) }
            write(mixed(0))
            write(UInt8(ascii: "-"))
            write(mixed(1))
            return end
        }
    }

    /// The process's random seed for boundaries (see ``randomBoundary()``).
    private static let boundarySeed = UInt64.random(in: .min ... .max)
    /// How many boundaries this process has made.
    private static let boundaryCounter = Atomic<UInt64>(0)

    /// Form-data names and file names are quoted strings; quotes and line breaks are percent-escaped
    /// as browsers do (the HTML standard's multipart/form-data encoding).
    fileprivate static func escaped(_ text: String) -> String {
        // Names almost never need it; the check is a byte scan, the replacement goes through Foundation.
        guard text.utf8.contains(where: { $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else { return text }
        return text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(segments: segments)
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
