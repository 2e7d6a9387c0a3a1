import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `read(2)`: reads into the caller's memory, which `FileHandle` cannot (it returns new `Data`).
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}

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
            let chunk = try [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, initialized in
                initialized = try read(into: UnsafeMutableRawBufferPointer(buffer))
            }
            return chunk.isEmpty ? nil : chunk
        }

        /// Reads the next chunk straight into `buffer`: at most the chunk size or `buffer.count`
        /// bytes, whichever is smaller. For a caller that sends from memory of its own, one
        /// allocation and one copy fewer per chunk than ``next()``.
        ///
        /// - Returns: How many bytes were written; 0 after the last chunk.
        /// - Throws: ``MailroomError/Code/attachmentUnreadable`` when the file cannot be read or
        ///   no longer has its size.
        public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            guard !finished else { return 0 }
            let wanted = Swift.min(chunkSize, buffer.count, source.byteCount - offset)
            switch source.storage {
            case .bytes(let bytes):
                guard wanted > 0 else {
                    finish()
                    return 0
                }
                bytes.withUnsafeBytes { content in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: content[offset..<offset + wanted]))
                }
                offset += wanted
                return wanted
            case .file(let path):
                return try readFile(path, into: buffer, wanted: wanted)
            }
        }

        // Blocking reads of bounded chunks: the cooperative pool is held for one chunk at a time,
        // which keeps the core free of an I/O framework dependency.
        private mutating func readFile(_ path: String, into buffer: UnsafeMutableRawBufferPointer, wanted: Int) throws -> Int {
            if handle == nil {
                guard let opened = FileHandle(forReadingAtPath: path) else {
                    finished = true
                    throw MailroomError.attachmentUnreadable(field: field, "\(path) can no longer be opened")
                }
                handle = opened
            }
            guard let handle else { return 0 }
            guard wanted > 0 else {
                // The promised size is read: the file must end here.
                var extra: UInt8 = 0
                let more = try withUnsafeMutableBytes(of: &extra) { try readFully(handle, into: $0) }
                if more > 0 { throw changed(path) }
                finish()
                return 0
            }
            let count = try readFully(handle, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
            guard count == wanted else { throw changed(path) }
            offset += count
            return count
        }

        /// Fills `buffer` from the file, stopping early only at its end.
        private mutating func readFully(_ handle: FileHandle, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            var filled = 0
            while filled < buffer.count {
                let count = systemRead(handle.fileDescriptor, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
                if count > 0 {
                    filled += count
                } else if count == 0 {
                    break
                } else if case let code = errno, code != EINTR {
                    let reason = String(cString: strerror(code))
                    finished = true
                    try? handle.close()
                    throw MailroomError.attachmentUnreadable(field: field, "reading failed: \(reason)")
                }
            }
            return filled
        }

        private mutating func changed(_ path: String) -> MailroomError {
            finish()
            return MailroomError.attachmentUnreadable(
                field: field,
                "\(path) changed size while it was read (expected \(source.byteCount) bytes)"
            )
        }

        private mutating func finish() {
            finished = true
            try? handle?.close()
            handle = nil
        }
    }
}
