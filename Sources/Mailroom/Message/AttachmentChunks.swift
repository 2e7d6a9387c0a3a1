import Foundation

/// The bytes of an ``Attachment`` in chunks, read lazily from disk for file content.
///
/// Made by ``Attachment/chunks(of:)``. A file is opened when iteration starts and closed when it
/// ends; it must still have the size it had when the attachment was made, or iteration throws
/// ``MailroomError/Code/attachmentUnreadable`` (a message's length is promised before it is sent).
public struct AttachmentChunks: AsyncSequence, Sendable {
    /// One chunk of content.
    public typealias Element = [UInt8]

    let source: Attachment.Source
    let chunkSize: Int
    let field: String

    /// Starts reading.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: source, chunkSize: chunkSize, field: field)
    }

    /// Reads one chunk at a time.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let source: Attachment.Source
        private let chunkSize: Int
        private let field: String
        private var offset = 0
        private var handle: FileHandle?
        private var finished = false

        init(source: Attachment.Source, chunkSize: Int, field: String) {
            self.source = source
            self.chunkSize = chunkSize
            self.field = field
        }

        /// The next chunk, or `nil` after the last.
        public mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            switch source.storage {
            case .bytes(let bytes):
                guard offset < bytes.count else { return finish() }
                let end = Swift.min(offset + chunkSize, bytes.count)
                defer { offset = end }
                return Array(bytes[offset..<end])
            case .file(let path):
                return try nextFromFile(path)
            }
        }

        // Blocking reads of bounded chunks: the cooperative pool is held for one chunk at a time,
        // which keeps the core free of an I/O framework dependency.
        private mutating func nextFromFile(_ path: String) throws -> [UInt8]? {
            if handle == nil {
                guard let opened = FileHandle(forReadingAtPath: path) else {
                    finished = true
                    throw MailroomError.attachmentUnreadable(field: field, "\(path) can no longer be opened")
                }
                handle = opened
            }
            guard let handle else { return finish() }
            let wanted = Swift.min(chunkSize, source.byteCount - offset)
            guard wanted > 0 else {
                let extra = try read(handle, count: 1)
                if !extra.isEmpty { throw changed(path) }
                return finish()
            }
            let chunk = try read(handle, count: wanted)
            guard chunk.count == wanted else { throw changed(path) }
            offset += chunk.count
            return chunk
        }

        private mutating func read(_ handle: FileHandle, count: Int) throws -> [UInt8] {
            do {
                return [UInt8](try handle.read(upToCount: count) ?? Data())
            } catch {
                finished = true
                try? handle.close()
                throw MailroomError.attachmentUnreadable(field: field, "reading failed: \(error.localizedDescription)")
            }
        }

        private mutating func changed(_ path: String) -> MailroomError {
            _ = finish()
            return MailroomError.attachmentUnreadable(
                field: field,
                "\(path) changed size while it was read (expected \(source.byteCount) bytes)"
            )
        }

        private mutating func finish() -> [UInt8]? {
            finished = true
            try? handle?.close()
            handle = nil
            return nil
        }
    }
}
