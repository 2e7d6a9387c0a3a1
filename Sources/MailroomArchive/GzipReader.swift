import CompressNIO
import Crypto
import Mailroom
import NIOCore

/// Reads an archived message back from its gzip bytes, fed in pieces as they arrive (from a file
/// or a database), and checks it against its entry: the recorded size and SHA-256.
package final class GzipReader {
    /// How much output is produced at a time.
    static let chunkSize = 256 * 1024

    private let id: String
    private let expected: (size: Int, sha256: String)?
    private let keepsBytes: Bool
    private let decompressor: ZlibDecompressor
    private var output = ByteBufferAllocator().buffer(capacity: chunkSize)
    private var hash = SHA256()
    private var ended = false
    private(set) var size = 0
    private var bytes: [UInt8] = []

    /// A reader for the message `id`.
    ///
    /// - Parameters:
    ///   - id: The archive id, named by errors.
    ///   - entry: The entry to check against; `nil` to read without a check (a message found
    ///     without its metadata).
    ///   - keepingBytes: Whether ``finish()`` returns the uncompressed bytes (else they are only
    ///     checked).
    package init(id: String, checking entry: ArchiveEntry?, keepingBytes: Bool) throws {
        self.id = id
        expected = entry.map { ($0.size, $0.sha256) }
        self.keepsBytes = keepingBytes
        decompressor = try ZlibDecompressor(algorithm: .gzip)
        if keepingBytes, let entry { bytes.reserveCapacity(entry.size) }
    }

    /// Decompresses the next piece of the gzip stream.
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when the bytes do not decompress, go on
    ///   after the stream's end, or come to more than the recorded size.
    package func feed(_ compressed: [UInt8]) throws {
        var input = ByteBuffer(bytes: compressed)
        while input.readableBytes > 0 {
            guard !ended else { throw corrupted("has data after the end of its gzip stream") }
            do {
                try decompressor.inflate(from: &input, to: &output)
                // A return with input left means the stream ended before it (a return with the
                // input used up may also be a stream that goes on in the next piece).
                if input.readableBytes > 0 { ended = true }
            } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                // The output is full (drained below), or the input is used up (feed more).
            } catch let error as CompressNIOError {
                throw corrupted("does not decompress: \(error)")
            }
            try drain()
        }
    }

    /// Ends the reading.
    ///
    /// - Returns: The uncompressed bytes when the reader keeps them, else nothing.
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when the size or SHA-256 differ from
    ///   the entry's.
    package func finish() throws -> [UInt8] {
        if let expected {
            guard size == expected.size else { throw corrupted("is \(size) bytes uncompressed; \(expected.size) were recorded") }
            guard Hex.string(hash.finalize()) == expected.sha256 else { throw corrupted("does not match its recorded SHA-256") }
        }
        return bytes
    }

    private func drain() throws {
        guard output.readableBytes > 0 else { return }
        size += output.readableBytes
        if let expected, size > expected.size { throw corrupted("is longer than the \(expected.size) bytes recorded") }
        output.withUnsafeReadableBytes { piece in
            if expected != nil { hash.update(bufferPointer: piece) }
            if keepsBytes { bytes.append(contentsOf: piece) }
        }
        output.clear()
    }

    private func corrupted(_ problem: String) -> MailroomError {
        MailroomError(code: .corrupted, field: "id", message: "archived message '\(id)' \(problem)")
    }
}
